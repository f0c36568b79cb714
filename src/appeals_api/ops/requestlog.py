"""The request id and the one access line per request (issue 7).

A request id comes from the client's `X-Request-ID` when it is sane (1-128 characters of
[A-Za-z0-9._-]: nothing a log reader could mistake for another field), else it is made here.
It is held in a context variable for the request's duration, and `RequestIdFilter`, set on the
log handlers (ops/log_config.json), writes it into every line logged meanwhile.

The access line names the route template, never the raw path or the query string: a path holds
ids and the status lookup's query holds the applicant's tracking code (R-8.1).
"""

from __future__ import annotations

import logging
import re
from contextvars import ContextVar
from random import getrandbits

HEADER = b"x-request-id"
MAX_LENGTH = 128
_SANE = re.compile(rb"[A-Za-z0-9._-]{1,%d}" % MAX_LENGTH)

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)

access_logger = logging.getLogger("appeals_api.access")


def from_headers(headers: list[tuple[bytes, bytes]]) -> str:
    """The client's X-Request-ID if it is sane, else a new one (32 hex digits)."""
    for name, value in headers:
        if name == HEADER:
            if _SANE.fullmatch(value):
                return value.decode("ascii")
            break
    # Ids correlate log lines, they guard nothing: no need for the slower secrets module.
    return f"{getrandbits(128):032x}"


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record logged while a request is served (never drops one)."""

    def filter(self, record: logging.LogRecord) -> bool:
        current = request_id.get()
        if current is not None and not hasattr(record, "request_id"):
            record.request_id = current
        return True


def log_request(
    *,
    rid: str,
    method: str,
    route: str,
    status: int,
    seconds: float,
    principal_id: str | None,
) -> None:
    """The access line: what was asked, of which route, by whom, with what outcome and how long."""
    access_logger.info(
        "request",
        extra={
            "request_id": rid,
            "method": method,
            "route": route,
            "status": status,
            "duration_ms": round(seconds * 1000, 2),
            "principal_id": principal_id,
        },
    )
