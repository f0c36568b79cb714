"""The calendar in force: the holidays package plus decree overrides, and deadlines on it (R-3)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Protocol
from zoneinfo import ZoneInfo

import asyncpg
from sqlalchemy.ext.asyncio import AsyncSession

from appeals_api.auth.roles import Principal
from appeals_api.calendar import repository
from appeals_api.calendar.models import CalendarOverride
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
    meanwhile waits, then recomputes the deadlines this transaction wrote (R-3.6). Intake and
    actions lock, before any other row: an override takes the calendar, then the rows it
    recomputes, and the same order both ways cannot deadlock. Reads and the watch do not."""
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
    recomputed: int


@dataclass(frozen=True)
class CalendarChange:
    """A decree override made or removed: the day, by whom, when, and why; and the time zone
    and end of working hours an e-appeal's start is counted with (R-3.2)."""

    day: date
    actor: Principal
    now: datetime
    reason: str
    tz: ZoneInfo
    work_end: time


class CalendarListener(Protocol):
    """What follows a decree override, in its transaction: the appeals' deadline policy
    recomputes the open deadlines the day touches (R-3.6) and says how many moved. The calendar
    knows nothing of appeals; `main.create_app` wires the listener."""

    async def __call__(
        self, session: AsyncSession, calendar: WorkCalendar, change: CalendarChange
    ) -> int: ...


async def put_override(
    session: AsyncSession,
    settings: Settings,
    *,
    day: date,
    working: bool,
    reason: str,
    actor: Principal,
    now: datetime,
    listener: CalendarListener,
) -> OverrideResult:
    """Make a day off or working by decree; the listener recomputes what it touches (R-3.6)."""
    await repository.bump_version(session)
    override = await repository.upsert_override(
        session, day=day, working=working, reason=reason, by=actor.label, now=now
    )
    note = f"calendar override: {reason}"
    change = CalendarChange(day, actor, now, note, settings.tz, settings.work_end)
    recomputed = await listener(session, await load_calendar(session, settings), change)
    return OverrideResult(override=override, recomputed=recomputed)


async def delete_override(
    session: AsyncSession,
    settings: Settings,
    *,
    day: date,
    actor: Principal,
    now: datetime,
    listener: CalendarListener,
) -> int:
    """Drop a decree override (the package's calendar applies again) and recompute (R-3.6)."""
    await repository.bump_version(session)
    if not await repository.delete_override(session, day):
        raise NotFound(f"no calendar override on {day.isoformat()}")
    note = "calendar override removed"
    change = CalendarChange(day, actor, now, note, settings.tz, settings.work_end)
    return await listener(session, await load_calendar(session, settings), change)
