"""All SQL of the calendar: its version row (lock 1, ARCHITECTURE.md) and the decree overrides."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import asyncpg
from sqlalchemy import delete, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from appeals_api.calendar.models import CalendarOverride

# The version with every override: one round trip.
_LOAD_SQL = (
    "SELECT s.version, o.day, o.working FROM calendar_state s "
    "LEFT JOIN calendar_overrides o ON true WHERE s.id = 1"
)
_LOAD = text(_LOAD_SQL)
# Locked, it takes two: a statement that waited for the lock still reads with the snapshot it
# started with (only the locked row is read again), so the overrides come after, in a new one.
_LOCK = text("SELECT version FROM calendar_state WHERE id = 1 FOR SHARE")
_OVERRIDES = text("SELECT day, working FROM calendar_overrides")
_BUMP = text("UPDATE calendar_state SET version = version + 1 WHERE id = 1")


async def load(session: AsyncSession, *, lock: bool) -> tuple[int, dict[date, bool]]:
    """The calendar's version and its overrides; `lock` share-locks the version (lock 1)."""
    if lock:
        version = int((await session.execute(_LOCK)).scalar_one())
        rows: Sequence[Any] = (await session.execute(_OVERRIDES)).all()
    else:
        rows = (await session.execute(_LOAD)).all()
        version = int(rows[0].version)
    return version, {r.day: r.working for r in rows if r.day is not None}


async def load_plain(pool: asyncpg.Pool) -> tuple[int, dict[date, bool]]:
    """The same, on the plain pool (intake's calendar), unlocked."""
    rows = await pool.fetch(_LOAD_SQL)
    return int(rows[0]["version"]), {r["day"]: r["working"] for r in rows if r["day"] is not None}


async def bump_version(session: AsyncSession) -> None:
    """Lock 1, exclusively, until the commit: nobody counts deadlines on the old calendar."""
    await session.execute(_BUMP)


async def list_overrides(session: AsyncSession) -> list[CalendarOverride]:
    return list(await session.scalars(select(CalendarOverride).order_by(CalendarOverride.day)))


async def upsert_override(
    session: AsyncSession, *, day: date, working: bool, reason: str, by: str, now: datetime
) -> CalendarOverride:
    values = {"working": working, "reason": reason, "updated_at": now, "updated_by": by}
    stmt = (
        pg_insert(CalendarOverride)
        .values(day=day, **values)
        .on_conflict_do_update(index_elements=[CalendarOverride.day], set_=values)
        .returning(CalendarOverride)
    )
    return (await session.scalars(stmt)).one()


async def delete_override(session: AsyncSession, day: date) -> bool:
    deleted = await session.execute(
        delete(CalendarOverride).where(CalendarOverride.day == day).returning(CalendarOverride.day)
    )
    return deleted.first() is not None
