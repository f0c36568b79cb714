"""The calendar in force: the holidays package plus decree overrides, and deadlines on it (R-3)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any, Protocol
from zoneinfo import ZoneInfo

import asyncpg
from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession

from appeals_api.auth.roles import Principal
from appeals_api.calendar import repository
from appeals_api.calendar.models import CalendarOverride, CalendarRecompute
from appeals_api.calendar.workdays import WorkCalendar
from appeals_api.config import Settings
from appeals_api.errors import NotFound


@dataclass(frozen=True)
class VersionedCalendar:
    version: int
    calendar: WorkCalendar


async def load_versioned(
    session: AsyncSession, settings: Settings, *, lock: bool = False
) -> VersionedCalendar:
    """The working-day calendar in force (weekend policy, the UZ holidays, decree overrides)
    and its version.

    `lock` share-locks the version until this transaction ends, so a decree override made
    meanwhile waits, and its recompute (which counts on it) comes after this transaction (R-3.6).
    Intake, actions and the recompute's batches lock, before any other row: the same order
    everywhere cannot deadlock. Reads and the watch do not."""
    version, overrides = await repository.load(session, lock=lock)
    return _versioned(version, overrides, settings)


async def load_calendar(session: AsyncSession, settings: Settings) -> WorkCalendar:
    return (await load_versioned(session, settings)).calendar


class CalendarCache:
    """The calendar last loaded by this process, for intake's statement, which checks the
    version it was counted on against the row (and intake loads it again when it moved)."""

    def __init__(self) -> None:
        self.current: VersionedCalendar | None = None

    def remember(self, loaded: VersionedCalendar) -> VersionedCalendar:
        if self.current is None or loaded.version >= self.current.version:
            self.current = loaded
        return loaded

    async def get(self, pool: asyncpg.Pool, settings: Settings) -> VersionedCalendar:
        """The remembered calendar, loaded on first use."""
        return self.current or await self.reload(pool, settings)

    async def reload(self, pool: asyncpg.Pool, settings: Settings) -> VersionedCalendar:
        version, overrides = await repository.load_plain(pool)
        return self.remember(_versioned(version, overrides, settings))


def _versioned(version: int, overrides: dict[date, bool], settings: Settings) -> VersionedCalendar:
    calendar = WorkCalendar(weekend=frozenset(settings.weekend), overrides=overrides)
    return VersionedCalendar(version=version, calendar=calendar)


async def list_overrides(session: AsyncSession) -> list[CalendarOverride]:
    return await repository.list_overrides(session)


@dataclass(frozen=True)
class OverrideResult:
    override: CalendarOverride
    job_id: int  # the recompute it leaves (`recompute.run`)


@dataclass(frozen=True)
class RecomputeJob:
    """A decree override's recompute, as the appeals' deadline policy works on it: the day, who
    entered the override and the history's note; the instant of this batch; and the time zone
    and end of working hours an e-appeal's start is counted with (R-3.2)."""

    id: int
    day: date
    actor_id: uuid.UUID | None
    actor_name: str
    actor_role: str
    note: str
    now: datetime
    tz: ZoneInfo
    work_end: time


class CalendarListener(Protocol):
    """What follows a decree override (R-3.6): the appeals' deadline policy says which appeals
    the day may touch (`scope`, a query of their ids) and recomputes a batch of them, locked in
    the order of their ids, on the calendar in force (`recompute`, how many deadlines moved).
    The calendar knows nothing of appeals; `main.create_app` wires the listener."""

    def scope(self, day: date, tz: ZoneInfo) -> Select[Any]: ...

    async def recompute(
        self,
        session: AsyncSession,
        calendar: WorkCalendar,
        job: RecomputeJob,
        appeal_ids: Sequence[uuid.UUID],
    ) -> int: ...


async def put_override(
    session: AsyncSession,
    *,
    day: date,
    working: bool,
    reason: str,
    actor: Principal,
    now: datetime,
) -> OverrideResult:
    """Make a day off or working by decree, in one short transaction: the version's bump, the
    override and the recompute it leaves, which the caller runs after its commit (R-3.6)."""
    version = await repository.bump_version(session)
    override = await repository.upsert_override(
        session, day=day, working=working, reason=reason, by=actor.label, now=now
    )
    job = await _leave_recompute(session, version, day, f"calendar override: {reason}", actor, now)
    return OverrideResult(override=override, job_id=job)


async def delete_override(
    session: AsyncSession, *, day: date, actor: Principal, now: datetime
) -> int:
    """Drop a decree override (the package's calendar applies again); the recompute it leaves."""
    version = await repository.bump_version(session)
    if not await repository.delete_override(session, day):
        raise NotFound(f"no calendar override on {day.isoformat()}")
    return await _leave_recompute(session, version, day, "calendar override removed", actor, now)


async def _leave_recompute(
    session: AsyncSession, version: int, day: date, note: str, actor: Principal, now: datetime
) -> int:
    job = CalendarRecompute(
        version=version,
        day=day,
        note=note,
        actor_id=actor.id,
        actor_name=actor.name,
        actor_role=actor.role.value,
        requested_at=now,
    )
    return (await repository.add_recompute(session, job)).id


def job_of(row: CalendarRecompute, settings: Settings, now: datetime) -> RecomputeJob:
    return RecomputeJob(
        id=row.id,
        day=row.day,
        actor_id=row.actor_id,
        actor_name=row.actor_name,
        actor_role=row.actor_role,
        note=row.note,
        now=now,
        tz=settings.tz,
        work_end=settings.work_end,
    )


async def pending_for(
    session: AsyncSession, settings: Settings, appeal_id: uuid.UUID, now: datetime
) -> list[RecomputeJob]:
    """The recomputes not done yet that have not reached this appeal (an action catches up)."""
    rows = await repository.pending_for(session, appeal_id)
    return [job_of(r, settings, now) for r in rows]
