"""Whether a request's write may have been kept, for the answer of a request cut off (issue 19).

The request time-out cancels the handler. A transaction not yet committed is then rolled back,
and nothing was kept; but a commit already sent, or an intake batch already sent to
PostgreSQL, completes or not without the request: its outcome is unknown. The code that sends
such a write says so here (`may_be_kept`); the time-out answers 504 "outcome unknown, retry
with the same Idempotency-Key" for it, and 503 "nothing was kept" only when that is true.
"""

from __future__ import annotations

from contextvars import ContextVar


class Sent:
    """Set once a write of the request left for the database and may complete without it."""

    __slots__ = ("may_be_kept",)

    def __init__(self) -> None:
        self.may_be_kept = False


_current: ContextVar[Sent | None] = ContextVar("request_writes", default=None)


def watch() -> Sent:
    """A fresh marker for the request now served (the time-out's)."""
    sent = Sent()
    _current.set(sent)
    return sent


def current() -> Sent | None:
    """The marker of the request now served, for work done for it in another task."""
    return _current.get()


def may_be_kept() -> None:
    """This request's write was sent: from now on its outcome is not "nothing kept"."""
    sent = _current.get()
    if sent is not None:
        sent.may_be_kept = True
