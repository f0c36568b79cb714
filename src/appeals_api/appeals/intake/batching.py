"""Intake's group commit: the requests waiting at one moment are registered by one statement.

Each appeal's number is taken under the year's counter row, held until the commit's WAL
flush (R-2.1: gapless). One statement per appeal made every intake wait for the previous
one's flush; one statement per batch takes the counter once and flushes once for all the
requests that arrived while the previous batch ran (bench/RESULTS.md, issue 18).

A request waits in its process's queue; one task per pool runs batches while any wait. A
request cancelled while still queued leaves it (nothing was kept); once its batch is sent, the
batch goes on (the outcome is the statement's, whoever still listens).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import Any

import asyncpg

from appeals_api import outcome
from appeals_api.appeals.intake import repository

log = logging.getLogger(__name__)

# At most this many requests in one statement: the batch's time is the counter's hold.
BATCH_AT_MOST = 64
# A batch PostgreSQL found in a deadlock (two batches' Idempotency-Keys) wrote nothing: again.
_DEADLOCK_ATTEMPTS = 3


@dataclass
class _Waiting:
    item: dict[str, Any]
    answer: asyncio.Future[repository.Outcome]
    sent: outcome.Sent | None  # the request's marker: its write may be kept once sent


@dataclass
class _Queue:
    waiting: list[_Waiting] = field(default_factory=list)
    running: asyncio.Task[None] | None = None


# The queue of each pool (by its id: a pool takes no weak reference) while requests wait.
_queues: dict[int, _Queue] = {}


async def register(pool: asyncpg.Pool, item: dict[str, Any]) -> repository.Outcome:
    """The outcome of the intake statement for this request, run in a batch with the
    requests waiting beside it (`repository.item` makes `item`)."""
    queue = _queues.setdefault(id(pool), _Queue())
    waiting = _Waiting(item, asyncio.get_running_loop().create_future(), outcome.current())
    queue.waiting.append(waiting)
    if queue.running is None or queue.running.done():
        queue.running = asyncio.create_task(_run(pool, queue))
    try:
        return await asyncio.shield(waiting.answer)
    except asyncio.CancelledError:
        if waiting in queue.waiting:  # not sent: nothing was kept
            queue.waiting.remove(waiting)
        raise


async def _run(pool: asyncpg.Pool, queue: _Queue) -> None:
    """Batches, one after the other, while requests wait; then the queue goes."""
    while queue.waiting:
        batch = queue.waiting[:BATCH_AT_MOST]
        del queue.waiting[: len(batch)]
        for waiting in batch:  # from here its outcome is the statement's, not "nothing kept"
            if waiting.sent is not None:
                waiting.sent.may_be_kept = True
        await _settle(pool, batch)
    if _queues.get(id(pool)) is queue:
        del _queues[id(pool)]


async def _settle(pool: asyncpg.Pool, batch: list[_Waiting]) -> None:
    """Every request of the batch answered: its outcome, or the error that kept it."""
    try:
        outcomes = await _sent(pool, batch)
    except (asyncpg.DataError, asyncpg.IntegrityConstraintViolationError) as error:
        if len(batch) == 1:
            _fail(batch, error)
            return
        # One request's values broke the statement, which wrote nothing: each on its own, so
        # that only that one fails.
        log.warning("intake batch of %d refused (%s): each alone", len(batch), error)
        for one in batch:
            await _settle(pool, [one])
        return
    except BaseException as error:  # the outcome is unknown: each request says so
        _fail(batch, error)
        if not isinstance(error, Exception):
            raise
        return
    for waiting, done in zip(batch, outcomes, strict=True):
        if not waiting.answer.done():
            waiting.answer.set_result(done)


async def _sent(pool: asyncpg.Pool, batch: list[_Waiting]) -> list[repository.Outcome]:
    for attempt in range(1, _DEADLOCK_ATTEMPTS + 1):
        try:
            return await repository.register_many(pool, [w.item for w in batch])
        except asyncpg.DeadlockDetectedError:
            if attempt == _DEADLOCK_ATTEMPTS:
                raise
    raise AssertionError("unreachable")


def _fail(batch: list[_Waiting], error: BaseException) -> None:
    for waiting in batch:
        if not waiting.answer.done():
            if isinstance(error, asyncio.CancelledError):
                waiting.answer.cancel()
            else:
                waiting.answer.set_exception(error)
