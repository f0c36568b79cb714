"""All SQL of the DIRECTUM domain."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from appeals_api.appeals.enums import DispatchChannel, DispatchStatus
from appeals_api.appeals.models import Appeal, Assignment, Resolution
from appeals_api.directum.models import (
    CallbackKind,
    DirectumCallback,
    DirectumDispatch,
    DirectumFeedCursor,
)

# Due dispatches that are the earliest unacknowledged one of their appeal (a re-routed appeal
# reaches DIRECTUM in the order it was routed); SKIP LOCKED: one sender per row at a time.
_CLAIM_SQL = text(
    """
    SELECT d.id FROM directum_dispatches d
    WHERE d.status <> 'delivered' AND d.next_attempt_at <= :now
      AND NOT EXISTS (
          SELECT 1 FROM directum_dispatches p
          WHERE p.appeal_id = d.appeal_id AND p.status <> 'delivered' AND p.id < d.id
      )
    ORDER BY d.next_attempt_at, d.id
    LIMIT :batch
    FOR UPDATE OF d SKIP LOCKED
    """
)


async def lock_cursor(session: AsyncSession) -> DirectumFeedCursor | None:
    """The feed cursor, locked for this transaction; None while another worker holds it."""
    return (
        await session.scalars(select(DirectumFeedCursor).with_for_update(skip_locked=True))
    ).one_or_none()


async def resolutions_with_appeals(
    session: AsyncSession, resolution_ids: Sequence[int]
) -> dict[int, tuple[Resolution, Appeal]]:
    if not resolution_ids:
        return {}
    rows = await session.execute(
        select(Resolution, Appeal)
        .join(Appeal, Appeal.id == Resolution.appeal_id)
        .where(Resolution.id.in_(resolution_ids))
    )
    return {r.id: (r, a) for r, a in rows}


async def insert_dispatch(
    session: AsyncSession,
    *,
    appeal_id: uuid.UUID,
    resolution_id: int,
    payload: dict[str, Any],
    due: datetime,
    now: datetime,
) -> bool:
    """One dispatch per resolution: False (and nothing added) if the resolution has one."""
    result = await session.execute(
        pg_insert(DirectumDispatch)
        .values(
            appeal_id=appeal_id,
            resolution_id=resolution_id,
            payload=payload,
            status=DispatchStatus.PENDING.value,
            attempts=0,
            next_attempt_at=due,
            created_at=now,
        )
        .on_conflict_do_nothing(index_elements=["resolution_id"])
        .returning(DirectumDispatch.id)
    )
    return result.scalar_one_or_none() is not None


async def claim_due(session: AsyncSession, *, now: datetime, batch: int) -> list[DirectumDispatch]:
    ids = list((await session.scalars(_CLAIM_SQL, {"now": now, "batch": batch})).all())
    if not ids:
        return []
    rows = await session.scalars(
        select(DirectumDispatch).where(DirectumDispatch.id.in_(ids)).order_by(DirectumDispatch.id)
    )
    return list(rows)


async def latest_dispatches(
    session: AsyncSession, appeal_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, tuple[datetime | None, DirectumDispatch | None]]:
    """Each appeal's latest resolution dispatched through DIRECTUM: when, and its dispatch row
    (None until the worker has taken the event from the outbox)."""
    rows = await session.execute(
        select(Assignment.appeal_id, Assignment.dispatched_at, DirectumDispatch)
        .outerjoin(DirectumDispatch, DirectumDispatch.resolution_id == Assignment.resolution_id)
        .where(
            Assignment.appeal_id.in_(appeal_ids),
            Assignment.dispatch_channel == DispatchChannel.DIRECTUM.value,
        )
        .order_by(Assignment.appeal_id, Assignment.resolution_id.desc(), Assignment.position)
        .ext(distinct_on(Assignment.appeal_id))
    )
    return {appeal_id: (at, d) for appeal_id, at, d in rows}


async def registered_responses(
    session: AsyncSession, appeal_ids: Sequence[uuid.UUID]
) -> list[DirectumCallback]:
    rows = await session.scalars(
        select(DirectumCallback)
        .where(
            DirectumCallback.appeal_id.in_(appeal_ids),
            DirectumCallback.kind == CallbackKind.RESPONSE_REGISTERED.value,
        )
        .order_by(DirectumCallback.received_at, DirectumCallback.callback_id)
    )
    return list(rows)


async def claim_callback(session: AsyncSession, values: dict[str, Any]) -> bool:
    """Claim the callback id for this transaction; False if another one has it.

    A concurrent retry waits on the primary key until the first transaction ends, then sees
    its committed row (or claims the id itself if the first one rolled back).
    """
    result = await session.execute(
        pg_insert(DirectumCallback)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["callback_id"])
        .returning(DirectumCallback.callback_id)
    )
    return result.scalar_one_or_none() is not None


async def get_callback(session: AsyncSession, callback_id: str) -> DirectumCallback | None:
    return await session.get(DirectumCallback, callback_id, populate_existing=True)


async def backlog(session: AsyncSession) -> dict[str, int]:
    rows = await session.execute(
        select(DirectumDispatch.status, func.count())
        .where(DirectumDispatch.status != DispatchStatus.DELIVERED.value)
        .group_by(DirectumDispatch.status)
    )
    counts = {str(status): int(n) for status, n in rows}
    return {
        s.value: counts.get(s.value, 0) for s in (DispatchStatus.PENDING, DispatchStatus.FAILED)
    }
