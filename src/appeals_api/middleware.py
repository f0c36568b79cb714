"""ASGI middleware: bounded request bodies (413 over the limit, never a 500), bounded time
(a request that takes longer, e.g. a client trickling its body, gets 503), and the request's
id, metrics and access line (outermost, so it sees the answers of the other two as well)."""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Sequence
from time import perf_counter

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from appeals_api import outcome
from appeals_api.errors import PROBLEM_MEDIA_TYPE, TYPE_BASE, details, language_of, translated
from appeals_api.ops import requestlog
from appeals_api.ops.metrics import INTAKE, METHODS, OTHER, REPLAYED_HEADER, UNMATCHED, HttpMetrics

_log = logging.getLogger(__name__)


class _TooLarge(HTTPException):
    """Raised from `receive`: FastAPI passes HTTPExceptions through its body parsing as they are."""

    def __init__(self, limit: int) -> None:
        super().__init__(
            413, details.gettext("The request body exceeds {limit} bytes.", limit=limit)
        )


class _TrackedSend:
    """`send`, noting whether the response has started: until then a problem may answer
    instead; after, only the connection can be dropped."""

    def __init__(self, send: Send) -> None:
        self._send = send
        self.started = False
        self._silent = False

    def silence(self) -> None:
        """Another answer is given instead: drop whatever comes after."""
        self._silent = True

    async def __call__(self, message: Message) -> None:
        if self._silent:
            return
        if message["type"] == "http.response.start":
            self.started = True
        await self._send(message)


# A route with a body limit of its own: method, path pattern, bytes.
OwnLimit = tuple[str, re.Pattern[str], int]


class BodyLimitMiddleware:
    """Every request body is bounded by `max_bytes` (JSON), except on the routes of `own`,
    which are bounded by theirs (a document upload: its file limit and the multipart framing)."""

    def __init__(self, app: ASGIApp, *, max_bytes: int, own: Sequence[OwnLimit] = ()) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.own = tuple(own)

    def _limit(self, scope: Scope) -> int:
        for method, path, limit in self.own:
            if scope["method"] == method and path.fullmatch(scope["path"]):
                return limit
        return self.max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self._limit(scope)
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = 0
                if declared > limit:
                    await self._reject(scope, send, limit)
                    return
        seen = 0

        async def limited_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise _TooLarge(limit)
            return message

        tracked = _TrackedSend(send)
        try:
            await self.app(scope, limited_receive, tracked)
        except _TooLarge:
            if not tracked.started:
                await self._reject(scope, send, limit)

    async def _reject(self, scope: Scope, send: Send, limit: int) -> None:
        await send_problem(
            scope, send, 413, "payload_too_large", "Request body too large",
            details.gettext("The request body exceeds {limit} bytes.", limit=limit),
        )  # fmt: skip


class TimeoutMiddleware:
    """Bound the whole request, reading the body included (slow clients, runaway queries).

    The app runs as its own task, so the answer at the limit never waits on the cut-off work's
    clean-up (a frozen database held the old answer until the client gave up, issue 19). At the
    limit, a request whose write was sent (`outcome.may_be_kept`) gets `grace` seconds more to
    learn its outcome and answer it; past those, 504 "outcome unknown". Any other request is
    cancelled (asyncpg then cancels its statement in PostgreSQL, and its transaction is rolled
    back) and answered 503 "nothing was kept"."""

    CLEAN_UP_SECONDS = 1.0  # what a cancelled request's roll-back may take before the answer

    def __init__(self, app: ASGIApp, *, seconds: float, grace: float) -> None:
        self.app = app
        self.seconds = seconds
        self.grace = grace
        self._cleaning: set[asyncio.Task[None]] = set()  # cut-off tasks still rolling back

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        tracked = _TrackedSend(send)
        sent = outcome.watch()
        task = asyncio.ensure_future(self.app(scope, receive, tracked))
        try:
            done, _ = await asyncio.wait((task,), timeout=self.seconds)
            if not done and sent.may_be_kept and not tracked.started:
                done, _ = await asyncio.wait((task,), timeout=self.grace)
        except asyncio.CancelledError:  # the server gave up on the request: so does its task
            task.cancel()
            raise
        if done:
            task.result()  # its answer is sent; its error goes on to the outer layers
            return
        task.cancel()
        await asyncio.wait((task,), timeout=self.CLEAN_UP_SECONDS)
        if not task.done():  # e.g. a roll-back on a frozen database: it ends on its own
            self._cleaning.add(task)
            task.add_done_callback(self._cleaned)
        if tracked.started:
            raise TimeoutError  # mid-answer: only the server can end the connection
        tracked.silence()  # whatever the cut-off task still tries to send goes nowhere
        await self._answer(scope, send, kept_maybe=sent.may_be_kept)

    def _cleaned(self, task: asyncio.Task[None]) -> None:
        self._cleaning.discard(task)
        if not task.cancelled() and task.exception() is not None:
            _log.warning("a timed-out request ended with an error", exc_info=task.exception())

    async def _answer(self, scope: Scope, send: Send, *, kept_maybe: bool) -> None:
        if kept_maybe:  # a commit or an intake batch was sent: its outcome is not known
            await send_problem(
                scope, send, 504, "outcome_unknown", "Outcome unknown",
                details.gettext(
                    "The request was not completed within {seconds} s and may have been "
                    "kept: send it again with the same Idempotency-Key, and a kept one is "
                    "answered, not repeated.",
                    seconds=f"{self.seconds:g}",
                ),
                headers=[(b"retry-after", b"1")],
            )  # fmt: skip
            return
        await send_problem(
            scope, send, 503, "request_timeout", "Request took too long",
            details.gettext(
                "The request was not completed within {seconds} s; nothing was kept.",
                seconds=f"{self.seconds:g}",
            ),
            headers=[(b"retry-after", b"1")],
        )  # fmt: skip


class ObservabilityMiddleware:
    """Every HTTP request gets an id (the client's X-Request-ID if sane, else a new one),
    returned in X-Request-ID on every response and set in every log line meanwhile; it is
    counted and timed by route template (`scope["route"]`, set by the router) and logged in one
    access line. An exception no inner layer turned into a response becomes the 500 problem
    here, so that answer carries its id too."""

    def __init__(self, app: ASGIApp, *, metrics: HttpMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = perf_counter()
        rid = requestlog.from_headers(scope["headers"])
        token = requestlog.request_id.set(rid)
        id_header = (requestlog.HEADER, rid.encode("ascii"))
        status = 0
        replayed = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, replayed
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = message.get("headers", ())
                if status == 201:
                    replayed = any(name == REPLAYED_HEADER for name, _ in headers)
                message["headers"] = [*headers, id_header]
            await send(message)

        failed = False
        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            failed = True
            if status != 0:
                # Mid-answer: only the server can end the connection; it logs the error (the
                # id stays set for it: under uvicorn each request is its own task).
                raise
            # Logged once, here, with the request's id, and answered: not raised further,
            # where Starlette and the server would log it again (issue 19).
            _log.exception("unhandled error")
            status = 500
            await send_problem(
                scope, send, 500, "internal_error", "Internal error",
                details.gettext("Unexpected error."),
                headers=[id_header],
            )  # fmt: skip
            failed = False
        finally:
            self._record(scope, status or 500, perf_counter() - started, rid, replayed)
            if not failed:
                requestlog.request_id.reset(token)

    def _record(self, scope: Scope, status: int, seconds: float, rid: str, replayed: bool) -> None:
        route = scope.get("route")
        template: str = route.path if route is not None else UNMATCHED
        method: str = scope["method"]
        if method not in METHODS:
            method = OTHER
        self.metrics.observe(template, method, status, seconds)
        if status == 201 and not replayed and (method, template) == INTAKE:
            self.metrics.intake += 1
        if requestlog.access_logger.isEnabledFor(logging.INFO):
            principal = (scope.get("state") or {}).get("principal")
            requestlog.log_request(
                rid=rid,
                method=method,
                route=template,
                status=status,
                seconds=seconds,
                principal_id=str(principal.id) if principal is not None else None,
            )


async def send_problem(
    scope: Scope,
    send: Send,
    status: int,
    code: str,
    title: str,
    detail: str,
    *,
    headers: list[tuple[bytes, bytes]] | None = None,
) -> None:
    """A problem answered before (or instead of) the app, in the request's language."""
    lang = language_of(scope)
    title, detail = translated(lang, title, detail)
    body = json.dumps(
        {"type": TYPE_BASE + code, "title": title, "status": status, "detail": detail, "code": code}
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", PROBLEM_MEDIA_TYPE.encode()),
                (b"content-length", str(len(body)).encode()),
                (b"content-language", lang.encode()),
                *(headers or []),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
