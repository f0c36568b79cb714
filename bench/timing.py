"""Timing an endpoint inside the ASGI app, for the benchmarks that call the app in process."""

from __future__ import annotations

import time
from typing import Any


class Timed:
    """The app, timed from the request going in to the response's last byte coming out."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.last = 0.0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        started = time.perf_counter()
        await self.app(scope, receive, send)
        self.last = time.perf_counter() - started
