"""All SQL of the calendar: its version row (lock 1, ARCHITECTURE.md) and the decree overrides."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import asyncpg
from sqlalchemy import Select, delete, literal, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from appeals_api.calendar.models import CalendarOverride, CalendarRecompute, CalendarRecomputeAppeal

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
_BUMP = text("UPDATE calendar_state SET version = version + 1 WHERE id = 1 RETURNING version")


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


async def bump_version(session: AsyncSession) -> int:
    """Lock 1, exclusively, until the commit: nobody counts deadlines on the old calendar."""
    return int((await session.execute(_BUMP)).scalar_one())


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


# --- the recomputes an override leaves (R-3.6, issue 18) ------------------------------------


async def add_recompute(session: AsyncSession, job: CalendarRecompute) -> CalendarRecompute:
    session.add(job)
    await session.flush()
    return job


async def claim_recompute(session: AsyncSession, job_id: int | None) -> CalendarRecompute | None:
    """An unfinished recompute (that one, or the oldest), locked until the commit; one another
    transaction holds is skipped, never waited for."""
    query = select(CalendarRecompute).where(CalendarRecompute.finished_at.is_(None))
    if job_id is not None:
        query = query.where(CalendarRecompute.id == job_id)
    query = query.order_by(CalendarRecompute.id).limit(1).with_for_update(skip_locked=True)
    return (await session.scalars(query)).one_or_none()


async def unfinished(session: AsyncSession, job_id: int | None) -> bool:
    """Whether that recompute (or any, without an id) is still to finish."""
    query = select(CalendarRecompute.id).where(CalendarRecompute.finished_at.is_(None))
    if job_id is not None:
        query = query.where(CalendarRecompute.id == job_id)
    return (await session.scalar(query.limit(1))) is not None


async def take_scope(session: AsyncSession, job_id: int, appeal_ids: Select[Any]) -> int:
    """The job's scope: the appeals `appeal_ids` selects (one column), once; how many."""
    found = appeal_ids.subquery()
    stmt = (
        pg_insert(CalendarRecomputeAppeal)
        .from_select(["job_id", "appeal_id"], select(literal(job_id), found.c[0]))
        .on_conflict_do_nothing()
    )
    result = await session.execute(stmt)
    return int(getattr(result, "rowcount", 0) or 0)


async def next_appeals(
    session: AsyncSession, job_id: int, after: uuid.UUID | None, limit: int
) -> list[uuid.UUID]:
    """The next appeals of the job's scope after `after`, in the order of their ids."""
    query = select(CalendarRecomputeAppeal.appeal_id).where(
        CalendarRecomputeAppeal.job_id == job_id
    )
    if after is not None:
        query = query.where(CalendarRecomputeAppeal.appeal_id > after)
    query = query.order_by(CalendarRecomputeAppeal.appeal_id).limit(limit)
    return list(await session.scalars(query))


async def drop_scope(session: AsyncSession, job_id: int) -> None:
    await session.execute(
        delete(CalendarRecomputeAppeal).where(CalendarRecomputeAppeal.job_id == job_id)
    )


async def pending_for(session: AsyncSession, appeal_id: uuid.UUID) -> list[CalendarRecompute]:
    """The unfinished recomputes that have not reached this appeal yet, oldest first. The job's
    own row is not locked: a batch holding it waits for this appeal's row, and finds it done."""
    query = (
        select(CalendarRecompute)
        .where(
            CalendarRecompute.finished_at.is_(None),
            (CalendarRecompute.after_appeal.is_(None))
            | (CalendarRecompute.after_appeal < appeal_id),
        )
        .order_by(CalendarRecompute.id)
    )
    return list(await session.scalars(query))
