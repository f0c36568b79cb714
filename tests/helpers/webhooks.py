"""A real HTTP receiver on 127.0.0.1 standing in for webhook subscribers and DIRECTUM, and
polling for what a process does in its own time."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from appeals_api.events import signing

# The secret the tests subscribe receivers with.
SECRET = "s3cret-for-the-receiver-only"


@dataclass
class Hit:
    path: str
    headers: dict[str, str]
    body: bytes
    status: int

    def header(self, name: str) -> str:
        return self.headers[name.lower()]

    @property
    def event_id(self) -> int:
        return int(self.header(signing.EVENT_ID_HEADER))

    def json(self) -> dict[str, Any]:
        return json.loads(self.body)


@dataclass
class Receiver:
    """A real HTTP server on 127.0.0.1 in a thread: records every request, answers as told.

    `answer(hit, n)` gives the status for the n-th request (1-based) with that hit's key;
    `hold` makes the `hold_at`-th request wait until `release()`.
    """

    answer: Callable[[Hit, int], int] = lambda hit, n: 200
    key: Callable[[Hit], str] = lambda hit: hit.headers.get("x-appeals-event-id", hit.path)
    delay: float = 0.0
    hold_at: int | None = None
    hits: list[Hit] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _held: threading.Event = field(default_factory=threading.Event)
    _arrived: int = 0

    def __post_init__(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                hit = Hit(self.path, {k.lower(): v for k, v in self.headers.items()}, body, 0)
                with receiver._lock:
                    receiver._arrived += 1
                    arrived = receiver._arrived
                    key = receiver.key(hit)
                    n = 1 + sum(1 for h in receiver.hits if receiver.key(h) == key)
                    hit.status = receiver.answer(hit, n)
                    receiver.hits.append(hit)
                if receiver.hold_at is not None and arrived >= receiver.hold_at:
                    receiver._held.wait(30)
                if receiver.delay:
                    time.sleep(receiver.delay)
                self.send_response(hit.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/hook"

    def start(self) -> Receiver:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._held.set()
        self._server.shutdown()
        self._server.server_close()

    def release(self) -> None:
        self._held.set()

    def snapshot(self) -> list[Hit]:
        with self._lock:
            return list(self.hits)

    def ids(self) -> list[int]:
        return [h.event_id for h in self.snapshot()]


async def until(check: Callable[[], Awaitable[bool] | bool], *, timeout: float, what: str) -> None:
    """Poll `check` until it holds; fail with `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if isinstance(result, Awaitable):
            result = await result
        if result:
            return
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout}s waiting for: {what}")
        await asyncio.sleep(0.02)
