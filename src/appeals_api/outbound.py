"""Outbound HTTP of the worker: one client per worker process and the retry policy.

Nothing here logs or stores a URL, a request body or a secret: an outcome is a status code or
the name of the error, which is all an operator needs to see why a delivery is retried.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import timedelta

import httpx

USER_AGENT = "appeals-api/0.1"
ERROR_TEXT_MAX = 300


def backoff(attempts: int, *, base: float, cap: float) -> timedelta:
    """After the n-th failed attempt wait base * 2**(n-1) seconds, never more than `cap`."""
    exponent = min(max(attempts - 1, 0), 60)
    return timedelta(seconds=min(cap, base * 2**exponent))


def make_client() -> httpx.AsyncClient:
    """The worker's one client: pooled connections, no redirects (a 3xx is not an ack)."""
    return httpx.AsyncClient(
        follow_redirects=False,
        headers={"User-Agent": USER_AGENT},
        limits=httpx.Limits(max_connections=50, max_keepalive_connections=20),
        timeout=httpx.Timeout(10.0),
    )


@dataclass(frozen=True)
class Outcome:
    ok: bool
    status_code: int | None
    error: str | None


async def post(
    client: httpx.AsyncClient, url: str, *, body: bytes, headers: dict[str, str], seconds: float
) -> Outcome:
    """POST `body`; only a 2xx is an acknowledgement. The response body is never read."""
    try:
        async with asyncio.timeout(seconds):
            async with client.stream(
                "POST", url, content=body, headers=headers, timeout=httpx.Timeout(seconds)
            ) as response:
                status = response.status_code
    except (httpx.HTTPError, TimeoutError, OSError) as exc:
        return Outcome(ok=False, status_code=None, error=_describe(exc, url))
    if 200 <= status < 300:
        return Outcome(ok=True, status_code=status, error=None)
    return Outcome(ok=False, status_code=status, error=f"HTTP {status}")


def _describe(exc: BaseException, url: str) -> str:
    detail = str(exc).replace(url, "<url>").strip()
    text = f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__
    return text[:ERROR_TEXT_MAX]
