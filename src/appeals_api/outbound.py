"""Outbound HTTP of the worker, and the one delivery core that webhooks and DIRECTUM share.

A delivery row (a webhook delivery, a DIRECTUM dispatch) goes through the same steps: claimed by
one sender (its domain's repository locks it FOR UPDATE SKIP LOCKED until the transaction ends),
sent with the others of its batch at once, and its attempt recorded: the count, the outcome,
the backoff to the next attempt, delivered, or given up after the policy's last attempt. The
domains differ only in what they send, the names of their statuses and their log lines.

Nothing here logs or stores a URL, a request body or a secret: an outcome is a status code or
the name of the error, which is all an operator needs to see why a delivery is retried.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Generic, TypeVar

import httpx
from sqlalchemy import DateTime, Integer, SmallInteger, String
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Mapped, mapped_column

from appeals_api.clock import Clock

USER_AGENT = "appeals-api/0.1"
# How long one delivery job goes on starting batches (issue 19): far inside the job time-out,
# so a backlog is worked by runs that end and give their slot to the next tick's.
RUN_SECONDS = 60.0
ERROR_TEXT_MAX = 300


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


@dataclass(frozen=True)
class RetryPolicy:
    """When a failed delivery is tried again, and after how many attempts it is given up
    (`max_attempts` None: never — DIRECTUM must get every dispatch, R-4.2)."""

    base: float
    cap: float
    max_attempts: int | None = None

    def wait(self, attempts: int) -> timedelta:
        """After the n-th failed attempt wait base * 2**(n-1) seconds, never more than `cap`."""
        exponent = min(max(attempts - 1, 0), 60)
        return timedelta(seconds=min(self.cap, self.base * 2**exponent))


class Verdict(StrEnum):
    DELIVERED = "delivered"  # a 2xx came back
    RETRY = "retry"  # failed; tried again at `next_attempt_at`
    DEAD = "dead"  # failed for the policy's last time; waits for an operator


class Attempts:
    """The columns every delivery row keeps of its attempts (a mixin of the domains' tables;
    what `status` values mean is each domain's, by verdict: `Lane.statuses`)."""

    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, server_default="0")
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_status_code: Mapped[int | None] = mapped_column(SmallInteger)
    last_error: Mapped[str | None] = mapped_column(String(ERROR_TEXT_MAX))


def record_attempt(row: Attempts, outcome: Outcome, policy: RetryPolicy, now: datetime) -> Verdict:
    """Count the attempt and its outcome on the row; schedule the next one, or give up."""
    row.attempts += 1
    row.last_attempt_at = now
    row.last_status_code = outcome.status_code
    if outcome.ok:
        row.delivered_at = now
        row.next_attempt_at = None
        return Verdict.DELIVERED
    row.last_error = outcome.error
    if policy.max_attempts is not None and row.attempts >= policy.max_attempts:
        row.next_attempt_at = None
        return Verdict.DEAD
    row.next_attempt_at = now + policy.wait(row.attempts)
    return Verdict.RETRY


R = TypeVar("R", bound=Attempts)
Item = TypeVar("Item")


@dataclass(frozen=True)
class Lane(Generic[R]):
    """One kind of delivery: its statuses by verdict, and its log lines (names and fields)."""

    logger: logging.Logger
    statuses: dict[Verdict, str]
    messages: dict[Verdict, str]
    log_fields: Callable[[R], dict[str, Any]]

    def record(self, row: R, outcome: Outcome, policy: RetryPolicy, now: datetime) -> None:
        verdict = record_attempt(row, outcome, policy, now)
        row.status = self.statuses[verdict]
        log = {**self.log_fields(row), "attempt": row.attempts, "status_code": outcome.status_code}
        message = self.messages[verdict]
        if verdict is Verdict.DELIVERED:
            self.logger.info(message, extra=log)
        elif verdict is Verdict.DEAD:
            self.logger.error(message, extra={**log, "error": outcome.error})
        else:
            assert row.next_attempt_at is not None  # a retry is scheduled
            wait = (row.next_attempt_at - now).total_seconds()
            self.logger.warning(
                message, extra={**log, "error": outcome.error, "retry_in_seconds": wait}
            )


@dataclass(frozen=True)
class BatchResult:
    attempted: int = 0
    delivered: int = 0

    def __add__(self, other: BatchResult) -> BatchResult:
        return BatchResult(self.attempted + other.attempted, self.delivered + other.delivered)


async def deliver_batch(
    session: AsyncSession,
    *,
    claimed: Sequence[Item],
    row: Callable[[Item], R],
    send: Callable[[Item], Awaitable[Outcome]],
    lane: Lane[R],
    policy: RetryPolicy,
    clock: Clock,
) -> BatchResult:
    """Send the claimed rows at once, then record each attempt (the rows stay locked until the
    caller's transaction ends, so no other sender takes them meanwhile)."""
    if not claimed:
        return BatchResult()
    outcomes = await asyncio.gather(*(send(item) for item in claimed))
    now = clock()
    for item, outcome in zip(claimed, outcomes, strict=True):
        lane.record(row(item), outcome, policy, now)
    await session.flush()
    return BatchResult(attempted=len(claimed), delivered=sum(o.ok for o in outcomes))


async def drain(
    sessionmaker: async_sessionmaker[AsyncSession],
    batch: Callable[[AsyncSession], Awaitable[BatchResult]],
    *,
    max_batches: int,
    seconds: float = RUN_SECONDS,
) -> BatchResult:
    """A worker job's sending loop: one transaction per batch (an attempt is recorded as soon
    as its batch is sent), until nothing is due, `max_batches` or `seconds` have passed (no
    batch starts after that: the next tick goes on, and the job's slot is back meanwhile)."""
    total = BatchResult()
    until = time.monotonic() + seconds
    for _ in range(max_batches):
        if time.monotonic() >= until:
            break
        async with sessionmaker() as session, session.begin():
            result = await batch(session)
        total += result
        if result.attempted == 0:
            break
    return total
