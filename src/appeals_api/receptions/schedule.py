"""The reception schedule (R-11.1, §53): kept by the Appeals Department, published without a
key as data and as an iCalendar feed; a weekly entry is expanded into its occurrences."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from appeals_api.auth.roles import Principal
from appeals_api.errors import Conflict, NotFound, Unprocessable
from appeals_api.receptions import repository
from appeals_api.receptions.models import ScheduleEntry
from appeals_api.receptions.schemas import (
    Occurrence,
    ScheduleCreate,
    SchedulePatch,
    ScheduleRead,
    Weekly,
    check_weekly,
)

# A published range is bounded: a year of weekly receptions is 53 occurrences per entry.
MAX_RANGE_DAYS = 400
UID_DOMAIN = "receptions.almalyk-appeals"


def to_read(entry: ScheduleEntry, tz: ZoneInfo) -> ScheduleRead:
    return ScheduleRead(
        id=entry.id,
        official_name=entry.official_name,
        official_post=entry.official_post,
        kind=entry.kind,
        starts_at=entry.starts_at.astimezone(tz),
        ends_at=entry.ends_at.astimezone(tz),
        place=entry.place,
        note=entry.note,
        weekly=Weekly.model_validate(entry.weekly) if entry.weekly else None,
        cancelled=entry.cancelled_at is not None,
        cancelled_at=entry.cancelled_at.astimezone(tz) if entry.cancelled_at else None,
        created_at=entry.created_at.astimezone(tz),
        updated_at=entry.updated_at.astimezone(tz),
    )


async def create(
    session: AsyncSession, *, data: ScheduleCreate, principal: Principal, now: datetime
) -> ScheduleEntry:
    """R-11.1: a new entry of the schedule."""
    entry = ScheduleEntry(
        id=uuid.uuid4(),
        **data.model_dump(exclude={"weekly"}),
        weekly=data.weekly.model_dump(mode="json") if data.weekly else None,
        created_at=now,
        created_by=principal.label,
        updated_at=now,
    )
    await repository.add(session, entry)
    return entry


async def change(
    session: AsyncSession,
    entry_id: uuid.UUID,
    *,
    data: SchedulePatch,
    principal: Principal,
    now: datetime,
) -> ScheduleEntry:
    """R-11.1: change an entry, or cancel it (it stays published, marked cancelled)."""
    entry = await repository.schedule_entry(session, entry_id, lock=True)
    if entry is None:
        raise NotFound("No such schedule entry.")
    if entry.cancelled_at is not None:
        raise Conflict("A cancelled reception is not changed: add a new entry (R-11.1, §53).")
    fields = data.model_dump(exclude_unset=True, exclude={"cancelled", "weekly"})
    for name, value in fields.items():
        if value is None and name != "note":
            raise Unprocessable(f"{name} cannot be emptied")
        setattr(entry, name, value)
    if "weekly" in data.model_fields_set:
        entry.weekly = data.weekly.model_dump(mode="json") if data.weekly else None
    if entry.ends_at <= entry.starts_at:
        raise Unprocessable("ends_at must be after starts_at")
    if entry.weekly:
        try:
            check_weekly(Weekly.model_validate(entry.weekly), entry.starts_at)
        except ValueError as exc:
            raise Unprocessable(str(exc)) from exc
    if data.cancelled:
        entry.cancelled_at, entry.cancelled_by = now, principal.label
    entry.updated_at = now
    await session.flush()
    return entry


def _days(weekly: dict[str, Any], first: date, last: date | None) -> Iterator[date]:
    """The weekly rule's days from `first` on (to `last`, when given): the first one on its
    weekday, then every 7."""
    day = first + timedelta(days=(int(weekly["weekday"]) - first.isoweekday()) % 7)
    until = date.fromisoformat(weekly["until"])
    if last is not None:
        until = min(until, last)
    while day <= until:
        yield day
        day += timedelta(days=7)


def occurrences(
    entry: ScheduleEntry, tz: ZoneInfo, *, since: date | None = None, until: date | None = None
) -> Iterator[Occurrence]:
    """The occurrences of an entry (those on days from `since` to `until`, when given: a weekly
    rule may run for years, a page shows a few months); a weekly one keeps its Tashkent
    wall-clock times."""
    start = entry.starts_at.astimezone(tz)
    duration = entry.ends_at - entry.starts_at
    if not entry.weekly:
        yield _occurrence(entry, f"{entry.id}@{UID_DOMAIN}", start, start + duration)
        return
    # A day's reception may run past midnight: begin a week early, the range check trims it.
    first = max(start.date(), since - timedelta(days=7)) if since else start.date()
    for day in _days(entry.weekly, first, until):
        at = datetime.combine(day, time(start.hour, start.minute, start.second), tzinfo=tz)
        uid = f"{entry.id}-{day:%Y%m%d}@{UID_DOMAIN}"
        yield _occurrence(entry, uid, at, at + duration)


def _occurrence(entry: ScheduleEntry, uid: str, start: datetime, end: datetime) -> Occurrence:
    return Occurrence(
        uid=uid,
        entry_id=entry.id,
        official_name=entry.official_name,
        official_post=entry.official_post,
        kind=entry.kind,
        starts_at=start,
        ends_at=end,
        place=entry.place,
        note=entry.note,
        cancelled=entry.cancelled_at is not None,
    )


def published_range(first: date | None, last: date | None, today: date) -> tuple[date, date]:
    """The dates asked for (default: today and the 90 days after), at most 400 days."""
    first = first or today
    last = last or first + timedelta(days=90)
    if last < first:
        raise Unprocessable("`to` must not be before `from`")
    if (last - first).days > MAX_RANGE_DAYS:
        raise Unprocessable(f"At most {MAX_RANGE_DAYS} days at a time.")
    return first, last


async def published(
    session: AsyncSession, *, first: date, last: date, tz: ZoneInfo
) -> list[Occurrence]:
    """R-11.1, §53: the receptions from `first` to `last` (Tashkent dates), cancelled ones
    marked, in the order they begin."""
    start = datetime.combine(first, time(), tzinfo=tz)
    end = datetime.combine(last + timedelta(days=1), time(), tzinfo=tz)
    entries = await repository.schedule_between(session, start, end)
    return _within(entries, start, end, tz)


def _within(
    entries: Sequence[ScheduleEntry], start: datetime, end: datetime, tz: ZoneInfo
) -> list[Occurrence]:
    since, until = start.astimezone(tz).date(), end.astimezone(tz).date()
    found = [
        o
        for entry in entries
        for o in occurrences(entry, tz, since=since, until=until)
        if o.starts_at < end and o.ends_at > start
    ]
    return sorted(found, key=lambda o: (o.starts_at, o.uid))


async def entries(
    session: AsyncSession, *, start: datetime, end: datetime, tz: ZoneInfo
) -> list[ScheduleEntry]:
    """The entries with an occurrence in [start, end), cancelled ones included."""
    found = await repository.schedule_between(session, start, end)
    return [e for e in found if _within([e], start, end, tz)]
