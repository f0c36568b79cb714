"""Fixed-window rate limits counted in Redis (R-8.1; OWASP API4, unrestricted consumption).

A window is `seconds` long; the counter key expires with it. Redis unreachable means the limit
is not enforced for that request (logged): an appeal is never refused for want of a counter.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass

from redis.asyncio import Redis
from redis.exceptions import RedisError

from appeals_api.errors import TooManyRequests

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Limit:
    name: str
    count: int
    seconds: int


# After Redis failed, requests skip it for this long instead of each waiting for a time-out.
BACKOFF_SECONDS = 5.0


class RateLimiter:
    def __init__(self, redis: Redis | None) -> None:
        self._redis = redis
        self._skip_until = 0.0

    async def hit(self, limit: Limit, key: str, *, now: float) -> None:
        """Count one request against `limit` for `key`; 429 with Retry-After when over it."""
        if self._redis is None or time.monotonic() < self._skip_until:
            return
        window = math.floor(now / limit.seconds)
        counter = f"rl:{limit.name}:{key}:{window}"
        try:
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.incr(counter)
                pipe.expire(counter, limit.seconds + 1)
                count, _ = await pipe.execute()
        except (RedisError, OSError) as exc:
            self._skip_until = time.monotonic() + BACKOFF_SECONDS
            logger.warning("rate limit not enforced: redis unavailable (%s)", type(exc).__name__)
            return
        if int(count) > limit.count:
            retry_after = math.ceil((window + 1) * limit.seconds - now)
            raise TooManyRequests(
                f"Too many requests ({limit.count} per {limit.seconds} s): try again later.",
                retry_after=retry_after,
            )
