"""Fixed-window rate limits counted in Redis (R-8.1; OWASP API4, unrestricted consumption).

A window is `seconds` long; the counter key expires with it. Redis unreachable means the limit
is not enforced for that request (logged): an appeal is never refused for want of a counter.

A generous limit is counted in leases: a process takes `lease` requests from the shared counter
at once and spends them locally, so a burst of intake costs one Redis round trip per lease, not
per request. The price is precision: with N processes up to N × (lease − 1) requests of a
window may be held unspent by processes that do not need them, so a client can meet the limit
that much early (never late). A limit of fewer than 100 per window is counted one by one.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from ipaddress import IPv4Network, IPv6Network, ip_address

from redis.asyncio import Redis
from redis.exceptions import RedisError
from starlette.requests import Request

from appeals_api.errors import TooManyRequests, details

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Limit:
    name: str
    count: int
    seconds: int

    @property
    def lease(self) -> int:
        return max(1, min(MAX_LEASE, self.count // 100))


MAX_LEASE = 100
# Beyond this many (limit, key) pairs held, the leases are dropped (unspent ones are lost).
MAX_LEASED_KEYS = 10_000


# After Redis failed, requests skip it for this long instead of each waiting for a time-out.
BACKOFF_SECONDS = 5.0


class RateLimiter:
    def __init__(self, redis: Redis | None) -> None:
        self._redis = redis
        self._skip_until = 0.0
        # (limit name, key) -> (window, requests of that window this process may still admit)
        self._leased: dict[tuple[str, str], tuple[int, int]] = {}
        self._locks: dict[tuple[str, str], asyncio.Lock] = {}

    def _take(self, held: tuple[str, str], window: int) -> bool:
        held_window, left = self._leased.get(held, (window, 0))
        if held_window != window or left <= 0:
            return False
        self._leased[held] = (window, left - 1)
        return True

    async def hit(self, limit: Limit, key: str, *, now: float) -> None:
        """Count one request against `limit` for `key`; 429 with Retry-After when over it."""
        window = math.floor(now / limit.seconds)
        held = (limit.name, key)
        if self._take(held, window):
            return
        if self._redis is None or time.monotonic() < self._skip_until:
            return
        # One lease at a time per key: a burst waits for it instead of each taking its own.
        async with self._locks.setdefault(held, asyncio.Lock()):
            if self._take(held, window):
                return
            await self._lease(limit, key, window, now)

    async def _lease(self, limit: Limit, key: str, window: int, now: float) -> None:
        assert self._redis is not None
        counter = f"rl:{limit.name}:{key}:{window}"
        lease = limit.lease
        try:
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.incrby(counter, lease)
                pipe.expire(counter, limit.seconds + 1)
                count, _ = await pipe.execute()
        except (RedisError, OSError) as exc:
            self._skip_until = time.monotonic() + BACKOFF_SECONDS
            logger.warning("rate limit not enforced: redis unavailable (%s)", type(exc).__name__)
            return
        granted = min(lease, limit.count - (int(count) - lease))
        if granted <= 0:
            retry_after = math.ceil((window + 1) * limit.seconds - now)
            raise TooManyRequests(
                details.gettext(
                    "Too many requests ({count} per {seconds} s): try again later.",
                    count=limit.count,
                    seconds=limit.seconds,
                ),
                retry_after=retry_after,
            )
        if len(self._leased) > MAX_LEASED_KEYS:
            self._leased.clear()  # old windows of keys gone quiet: bounded memory
            self._locks = {k: v for k, v in self._locks.items() if v.locked()}
        self._leased[limit.name, key] = (window, granted - 1)


def _trusted(address: str, networks: Sequence[IPv4Network | IPv6Network]) -> bool:
    try:
        ip = ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_address(request: Request, trusted: Sequence[IPv4Network | IPv6Network]) -> str:
    """The address a per-client limit counts (R-8.1): the direct peer, unless it is one of our
    `trusted` proxies (APPEALS_TRUSTED_PROXIES); then X-Forwarded-For is read from the right,
    past our own proxies, to the first hop none of them is. Hops left of that one are whatever
    the client wrote, so they are never believed: a stranger cannot move their count onto
    someone else's address, nor escape it by inventing new ones."""
    peer = request.client.host if request.client else "unknown"
    if not _trusted(peer, trusted):
        return peer
    hops = [h.strip() for v in request.headers.getlist("x-forwarded-for") for h in v.split(",")]
    address = peer
    for hop in reversed(hops):
        try:
            ip_address(hop)
        except ValueError:
            break  # not an address our proxy wrote: stop at the last hop that was
        address = hop
        if not _trusted(hop, trusted):
            break
    return address
