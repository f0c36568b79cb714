"""Operations: the worker's heartbeat, and what an operator needs to see of the backlog."""

from __future__ import annotations

from datetime import datetime, timedelta

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
    rows = list(
        await session.scalars(
            select(WorkerHeartbeat)
            .where(WorkerHeartbeat.beat_at >= now - FORGET_AFTER)
            .order_by(WorkerHeartbeat.beat_at.desc())
            .limit(100)
        )
    )
    last = await session.scalar(select(func.max(WorkerHeartbeat.beat_at)))
    age = (now - last).total_seconds() if last is not None else None
    if age is None:
        status = "absent"
    elif age <= settings.worker_stale_after_seconds:
        status = "ok"
    else:
        status = "stale"
    webhooks = await webhook_service.backlog(session)
    directum = await directum_service.backlog(session)
    return WorkerHealth(
        status=status,
        last_beat_at=last,
        age_seconds=age,
        stale_after_seconds=settings.worker_stale_after_seconds,
        workers=[
            WorkerRead(
                worker_id=w.worker_id,
                hostname=w.hostname,
                pid=w.pid,
                started_at=w.started_at,
                beat_at=w.beat_at,
                age_seconds=(now - w.beat_at).total_seconds(),
            )
            for w in rows
        ],
        backlog=Backlog(
            unsequenced_events=webhooks["unsequenced_events"],
            webhook_pending=webhooks["pending"],
            webhook_dead=webhooks["dead"],
            directum_pending=directum["pending"],
            directum_failed=directum["failed"],
        ),
    )


async def database_gauges(
    session: AsyncSession, settings: Settings, *, now: datetime
) -> DatabaseGauges:
    """The backlog and overdue counts /metrics shows: each a count over a partial index that
    holds only the rows waiting (unsequenced events, unacknowledged deliveries, open deadlines)."""
    webhooks = await webhook_service.backlog(session)
    directum = await directum_service.backlog(session)
    return DatabaseGauges(
        unsequenced_events=webhooks["unsequenced_events"],
        webhook_pending=webhooks["pending"],
        webhook_dead=webhooks["dead"],
        directum_pending=directum["pending"],
        directum_failed=directum["failed"],
        overdue_deadlines=await control_service.overdue_count(session, settings, now=now),
    )
