"""All SQL of receptions (R-11)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from appeals_api.appeals.models import Appeal
from appeals_api.receptions.models import (
    PersonalReception,
    Protocol,
    ProtocolEntry,
    ScheduleEntry,
)


async def add(session: AsyncSession, *rows: Any) -> None:
    session.add_all(rows)
    await session.flush()


async def schedule_entry(
    session: AsyncSession, entry_id: uuid.UUID, *, lock: bool = False
) -> ScheduleEntry | None:
    stmt = select(ScheduleEntry).where(ScheduleEntry.id == entry_id)
    if lock:
        stmt = stmt.with_for_update()
    return (await session.scalars(stmt)).one_or_none()


async def schedule_between(
    session: AsyncSession, start: datetime, end: datetime
) -> Sequence[ScheduleEntry]:
    """Entries with an occurrence that may fall in [start, end): single ones overlapping it,
    weekly ones begun before its end (their occurrences are counted in Python)."""
    stmt = (
        select(ScheduleEntry)
        .where(
            ScheduleEntry.starts_at < end,
            or_(ScheduleEntry.weekly.is_not(None), ScheduleEntry.ends_at > start),
        )
        .order_by(ScheduleEntry.starts_at, ScheduleEntry.id)
    )
    return (await session.scalars(stmt)).all()


async def personal_reception(
    session: AsyncSession, reception_id: uuid.UUID
) -> PersonalReception | None:
    return await session.get(PersonalReception, reception_id)


async def personal_receptions(
    session: AsyncSession, start: datetime | None, end: datetime | None, limit: int
) -> Sequence[PersonalReception]:
    conditions = []
    if start is not None:
        conditions.append(PersonalReception.received_at >= start)
    if end is not None:
        conditions.append(PersonalReception.received_at < end)
    stmt = (
        select(PersonalReception)
        .where(and_(True, *conditions))
        .order_by(PersonalReception.received_at.desc(), PersonalReception.id)
        .limit(limit)
    )
    return (await session.scalars(stmt)).all()


async def protocol(session: AsyncSession, protocol_id: uuid.UUID) -> Protocol | None:
    return await session.get(Protocol, protocol_id)


async def protocol_entries(
    session: AsyncSession, protocol_id: uuid.UUID
) -> Sequence[ProtocolEntry]:
    stmt = (
        select(ProtocolEntry)
        .where(ProtocolEntry.protocol_id == protocol_id)
        .order_by(ProtocolEntry.position)
    )
    return (await session.scalars(stmt)).all()


async def appeals_by_id(
    session: AsyncSession, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, tuple[int, int, date]]:
    """The number (year, seq) and answer deadline of the appeals linked to a reception."""
    if not ids:
        return {}
    stmt = select(Appeal.id, Appeal.year, Appeal.seq, Appeal.due_date).where(Appeal.id.in_(ids))
    return {r.id: (r.year, r.seq, r.due_date) for r in (await session.execute(stmt)).all()}
