"""Running what a decree override leaves to recompute (R-3.6, issue 18), in short transactions.

An override commits its version's bump, the override and a `calendar_recomputes` row at once, so
nobody counts on the old calendar and the recompute cannot be lost. The recompute then runs here,
batch by batch, each batch its own short transaction:
1. the first takes the job's scope (`calendar_recompute_appeals`: the appeals the day may touch,
   as the listener selects them), without the calendar lock: every deadline written after the
   override's commit is counted on its calendar already;
2. each next batch share-locks the calendar (lock 1, as intake and actions do, so it counts on
   the calendar in force and an override waits at most for one batch), takes the job's row
   (`FOR UPDATE SKIP LOCKED`: two runners never work one job at once), locks the next appeals of
   the scope in the order of their ids (lock 4), has the listener recompute them and moves the
   job's cursor (`after_appeal`) in the same transaction: a batch is done entirely or not at all,
   and a run killed anywhere goes on from the last committed batch;
3. the last finds no appeal after the cursor and marks the job finished.
A recompute is idempotent: an appeal recomputed twice (by an action catching up, or by two jobs)
does not move again. The request that entered the override runs it for a moment
(`calendar_recompute_inline_seconds`), the worker's `recompute_calendar` job the rest.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from appeals_api.calendar import repository, service
from appeals_api.calendar.models import CalendarRecompute
from appeals_api.calendar.service import CalendarListener
from appeals_api.calendar.workdays import WorkCalendar
from appeals_api.clock import Clock
from appeals_api.config import Settings

logger = logging.getLogger("appeals_api.calendar.recompute")

BATCH = 200  # appeals per transaction: a batch holds their rows (and the calendar) ~0.3 s


@dataclass(frozen=True)
class Progress:
    """Where a run left the jobs it worked on: how many deadlines moved; whether all are done."""

    moved: int
    done: bool


@dataclass(frozen=True)
class Runner:
    sessionmaker: async_sessionmaker[AsyncSession]
    settings: Settings
    clock: Clock
    listener: CalendarListener
    batch: int = BATCH


async def run(
    runner: Runner, *, job_id: int | None = None, budget: float | None = None
) -> Progress:
    """Batches until the job (`job_id`, else every unfinished one) is done, or `budget` seconds
    have passed, or the job is held by another runner (then that one goes on with it)."""
    deadline = None if budget is None else time.monotonic() + budget
    moved = 0
    while deadline is None or time.monotonic() < deadline:
        step = await _step(runner, job_id)
        if step is None:
            return Progress(moved=moved, done=await _finished(runner, job_id))
        moved += step
    return Progress(moved=moved, done=await _finished(runner, job_id))


async def _step(runner: Runner, job_id: int | None) -> int | None:
    """One batch: how many deadlines it moved, or None when there is no job to work on."""
    async with runner.sessionmaker() as session, session.begin():
        loaded = await service.load_versioned(session, runner.settings, lock=True)
        job = await repository.claim_recompute(session, job_id)
        if job is None:
            return None
        if job.scoped_at is not None:
            return await _batch(runner, session, loaded.calendar, job)
    async with runner.sessionmaker() as session, session.begin():
        job = await repository.claim_recompute(session, job.id)
        if job is not None and job.scoped_at is None:
            found = await repository.take_scope(
                session, job.id, runner.listener.scope(job.day, runner.settings.tz)
            )
            job.scoped_at = runner.clock()
            logger.info("calendar recompute scoped", extra={"job": job.id, "appeals": found})
    return 0


async def _batch(
    runner: Runner,
    session: AsyncSession,
    calendar: WorkCalendar,
    job: CalendarRecompute,
) -> int:
    appeal_ids = await repository.next_appeals(session, job.id, job.after_appeal, runner.batch)
    now = runner.clock()
    if not appeal_ids:
        job.finished_at = now
        await repository.drop_scope(session, job.id)
        logger.info(
            "calendar recompute finished",
            extra={"job": job.id, "appeals": job.appeals, "moved": job.moved},
        )
        return 0
    work = service.job_of(job, runner.settings, now)
    moved = await runner.listener.recompute(session, calendar, work, appeal_ids)
    job.after_appeal = appeal_ids[-1]
    job.appeals += len(appeal_ids)
    job.moved += moved
    return moved


async def _finished(runner: Runner, job_id: int | None) -> bool:
    async with runner.sessionmaker() as session:
        return not await repository.unfinished(session, job_id)
