"""Operations: the worker's heartbeat, and what an operator needs to see of the backlog."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from appeals_api.config import Settings
from appeals_api.control import service as control_service
from appeals_api.directum import service as directum_service
from appeals_api.events import webhook_service
from appeals_api.ops.metrics import DatabaseGauges
from appeals_api.ops.models import WorkerHeartbeat
from appeals_api.ops.schemas import Backlog, WorkerHealth, WorkerRead
from appeals_api.rows import from_row

# Heartbeats of workers gone this long are forgotten.
FORGET_AFTER = timedelta(days=1)


async def beat(
    session: AsyncSession,
    *,
    worker_id: str,
    hostname: str,
    pid: int,
    started_at: datetime,
    now: datetime,
) -> None:
    """Record that this worker is alive now (one row per worker process)."""
    stmt = pg_insert(WorkerHeartbeat).values(
        worker_id=worker_id, hostname=hostname, pid=pid, started_at=started_at, beat_at=now
    )
    await session.execute(
        stmt.on_conflict_do_update(
            index_elements=["worker_id"], set_={"beat_at": stmt.excluded.beat_at}
        )
    )
    await session.execute(
        delete(WorkerHeartbeat).where(WorkerHeartbeat.beat_at < now - FORGET_AFTER)
    )


async def health(session: AsyncSession, settings: Settings, *, now: datetime) -> WorkerHealth:
    """The workers seen lately, the age of the last heartbeat, and the delivery backlog."""
    rows = await session.scalars(
        select(WorkerHeartbeat)
        .where(WorkerHeartbeat.beat_at >= now - FORGET_AFTER)
        .order_by(WorkerHeartbeat.beat_at.desc())
        .limit(100)
    )
    workers = [from_row(WorkerRead, w, age_seconds=(now - w.beat_at).total_seconds()) for w in rows]
    last = await session.scalar(select(func.max(WorkerHeartbeat.beat_at)))
    age = (now - last).total_seconds() if last is not None else None
    return WorkerHealth(
        status=_status(age, stale_after=settings.worker_stale_after_seconds),
        last_beat_at=last,
        age_seconds=age,
        stale_after_seconds=settings.worker_stale_after_seconds,
        workers=workers,
        backlog=await backlog(session),
    )


def _status(age: float | None, *, stale_after: int) -> Literal["ok", "stale", "absent"]:
    if age is None:
        return "absent"
    return "ok" if age <= stale_after else "stale"


async def backlog(session: AsyncSession) -> Backlog:
    """What waits for the worker: events to sequence, deliveries and dispatches to make."""
    webhooks = await webhook_service.backlog(session)
    directum = await directum_service.backlog(session)
    return Backlog(
        unsequenced_events=webhooks["unsequenced_events"],
        webhook_pending=webhooks["pending"],
        webhook_dead=webhooks["dead"],
        directum_pending=directum["pending"],
        directum_failed=directum["failed"],
    )


async def database_gauges(
    session: AsyncSession, settings: Settings, *, now: datetime
) -> DatabaseGauges:
    """The backlog and overdue counts /metrics shows: each a count over a partial index that
    holds only the rows waiting (unsequenced events, unacknowledged deliveries, open deadlines)."""
    waiting = await backlog(session)
    return DatabaseGauges(
        **waiting.model_dump(),
        overdue_deadlines=await control_service.overdue_count(session, settings, now=now),
    )
