"""How the API is served: uvicorn's options in one place for every launcher, and an HTTP
protocol that bounds how long a request head may take (issue 19, item 5).

uvicorn closes a keep-alive connection left idle after a response, but it has no time-out for a
request head: a client that connects and says nothing, or trickles its headers a byte at a
time, held the connection (and its file descriptor) for as long as it liked. `HeadDeadlineH11`
gives every request head `APPEALS_HEADER_TIMEOUT_SECONDS` from the moment the server waits for
it (the connection opened, or the previous response was sent); trickling does not extend it.
Past it, a connection that sent part of a head gets 408 and is closed, one that sent nothing is
just closed. Once the head is in, the request's own time-out (`request_timeout_seconds`) rules.
A head larger than `APPEALS_MAX_HEADER_BYTES` gets 431 and is closed, whether it trickles in
(h11 refuses it) or arrives whole in one read (refused here: h11 bounds only incomplete heads).

Every launcher runs `python -m appeals_api.serving` (`make api`, the Dockerfile) or the command
`serve_command` builds for it (`make run`'s devstack, the scratch stacks of the benchmarks and
the fuzzer). That process reads the settings where it serves and execs uvicorn with
`uvicorn_args`, so the limits are the same however the service is run.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Sequence
from http import HTTPStatus
from typing import Any

import h11
from uvicorn.config import Config
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.server import ServerState

from appeals_api import i18n
from appeals_api.config import Settings, get_settings
from appeals_api.errors import details, problem_response
from appeals_api.ops import jsonlog

API_APP = ("appeals_api.main:create_app", "--factory")
PROTOCOL = "appeals_api.serving:HeadDeadlineH11"
_END_OF_HEAD = b"\r\n\r\n"


def uvicorn_args(
    settings: Settings, *, host: str, port: int, app: Sequence[str] = (), quiet: bool = False
) -> list[str]:
    """uvicorn's command line (after `uvicorn`) for `app` (an import string and its options; the
    API by default): the address, the processes, the logs (JSON lines; `quiet`: warnings only,
    for the benchmarks), then `app`'s own options (a benchmark may ask for more processes), then
    the connection limits, last so that nothing before them loosens them."""
    target, *options = app or API_APP
    args = [target, "--host", host, "--port", str(port)]
    args += ["--workers", str(settings.web_concurrency), "--no-access-log"]
    # JSON lines with request ids; the API's own access line replaces uvicorn's.
    args += ["--log-level", "warning"] if quiet else ["--log-config", str(jsonlog.LOG_CONFIG)]
    return [
        *args, *options,
        "--http", PROTOCOL,
        "--timeout-keep-alive", str(settings.keep_alive_timeout_seconds),
        "--h11-max-incomplete-event-size", str(settings.max_header_bytes),
        "--limit-concurrency", str(settings.concurrency_limit),
    ]  # fmt: skip


def serve_command(
    host: str, port: int, app: Sequence[str] = (), *, quiet: bool = False
) -> list[str]:
    """The command a launcher runs to serve `app` (the API by default) on host:port."""
    command = [sys.executable, "-m", "appeals_api.serving", "--host", host, "--port", str(port)]
    return [*command, *(["--quiet"] if quiet else []), *app]


def main(argv: Sequence[str] | None = None) -> None:
    """`python -m appeals_api.serving [--host H] [--port P] [--quiet] [APP [OPTIONS...]]` becomes
    uvicorn (exec: signals reach it, and its pid stays the one its launcher started)."""
    settings = get_settings()
    parser = argparse.ArgumentParser(prog="python -m appeals_api.serving", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=settings.port, help="default APPEALS_PORT")
    parser.add_argument("--quiet", action="store_true", help="warnings only, not JSON lines")
    parser.add_argument("app", nargs=argparse.REMAINDER, help="import string and options")
    args = parser.parse_args(argv)
    served = uvicorn_args(settings, host=args.host, port=args.port, app=args.app, quiet=args.quiet)
    os.execv(sys.executable, [sys.executable, "-m", "uvicorn", *served])  # noqa: S606 - argv


def _refusal(status: int, code: str, title: str, detail: str) -> bytes:
    """The problem (RFC 9457) for a request the application never saw, on a connection then
    closed; in the default language, for want of a head to negotiate with."""
    answer = problem_response(status, code, title, detail, lang=i18n.DEFAULT)
    lines = [f"HTTP/1.1 {status} {HTTPStatus(status).phrase}"]
    lines += [f"{name}: {value}" for name, value in answer.headers.items()]
    head = "\r\n".join([*lines, "connection: close", "", ""])
    return head.encode("latin-1") + bytes(answer.body)


class HeadDeadlineH11(H11Protocol):
    """uvicorn's h11 protocol with a deadline for each request head and a bound on its size."""

    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self.head_timeout = get_settings().header_timeout_seconds
        self.max_head = config.h11_max_incomplete_event_size or get_settings().max_header_bytes
        self._head_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._awaiting_head() and self._head_too_large(data):
            self._refuse_too_large()
            return
        super().data_received(data)
        if self._awaiting_head():  # a request ended while its response was already out
            if self._head_deadline is None:
                self._arm()
        else:  # the head is in: the request's own time-out rules from here
            self._disarm()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if self._awaiting_head() and not self.transport.is_closing():
            self._arm()  # the next head has the whole time again, from now

    def send_400_response(self, msg: str) -> None:
        # h11 refuses a head that grows past its limit as any bad request; say which it is.
        if len(self.conn.trailing_data[0]) > self.max_head:
            self._refuse_too_large()
        else:
            super().send_400_response(msg)

    def _awaiting_head(self) -> bool:
        return self.conn.their_state is h11.IDLE

    def _head_too_large(self, data: bytes) -> bool:
        buffered = self.conn.trailing_data[0]
        if len(buffered) + len(data) <= self.max_head:  # the usual case: no copy, no search
            return False
        pending = buffered + data
        end = pending.find(_END_OF_HEAD)
        return (end + len(_END_OF_HEAD) if end >= 0 else len(pending)) > self.max_head

    def _arm(self) -> None:
        self._disarm()
        self._head_deadline = self.loop.call_later(self.head_timeout, self._head_timed_out)

    def _disarm(self) -> None:
        if self._head_deadline is not None:
            self._head_deadline.cancel()
            self._head_deadline = None

    def _head_timed_out(self) -> None:
        self._head_deadline = None
        if self.transport.is_closing() or not self._awaiting_head():
            return
        if not self.conn.trailing_data[0].strip():  # nothing said: nothing to answer
            self.transport.close()
            return
        detail = details.gettext(
            "The request's headers did not arrive within {seconds} s; the connection is closed.",
            seconds=f"{self.head_timeout:g}",
        )
        self._refuse(_refusal(408, "request_head_timeout", "Request timed out", detail))

    def _refuse_too_large(self) -> None:
        detail = details.gettext(
            "The request's line and headers exceed {limit} bytes; the connection is closed.",
            limit=str(self.max_head),
        )
        self._refuse(_refusal(431, "request_head_too_large", "Request headers too large", detail))

    def _refuse(self, answer: bytes) -> None:
        self._disarm()
        self.transport.write(answer)
        self.transport.close()


if __name__ == "__main__":
    main()
