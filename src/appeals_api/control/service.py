"""The deadline watch (R-9.1, R-9.3): reminders before a stage deadline, a notice once it passed;
and the control report of overdue and soon-due stages (R-9.2).

Every notice is published exactly once, however many workers run the watch at once and however
often a run is repeated or killed half-way: the repository's statements make sure of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from appeals_api.appeals.numbering import display_number
from appeals_api.calendar import service as calendar_service
from appeals_api.calendar.workdays import WorkCalendar
from appeals_api.config import Settings
from appeals_api.control import repository
from appeals_api.control.schemas import ControlRow

WATCH_ACTOR = "deadline watch"


@dataclass(frozen=True)
class WatchResult:
    overdue: int
    approaching: int


def reminder_for(days_left: int, policy: list[int]) -> int | None:
    """The reminder due with `days_left` working days to go: the nearest policy mark at or
    above it (a deadline set 1 day ahead gets the 1-day reminder, not a late 3-day one)."""
    marks = [m for m in policy if m >= days_left]
    return min(marks) if marks else None


async def watch(
    session: AsyncSession, settings: Settings, *, now: datetime, batch: int = 5000
) -> WatchResult:
    """R-9.1: publish due reminders and overdue notices, each exactly once."""
    today = now.astimezone(settings.tz).date()
    overdue = await repository.publish_overdue(
        session, today=today, now=now, batch=batch, actor=WATCH_ACTOR
    )
    policy = sorted(settings.reminder_working_days)
    approaching = 0
    if policy:
        approaching = await _remind(session, settings, today=today, now=now, policy=policy)
    return WatchResult(overdue=overdue, approaching=approaching)


async def overdue_count(session: AsyncSession, settings: Settings, *, now: datetime) -> int:
    """R-9.1: open stage deadlines whose due date (Tashkent) is before today."""
    return await repository.overdue_count(session, today=now.astimezone(settings.tz).date())


def _working_days_left(calendar: WorkCalendar, today: date, due_on: date) -> int:
    return len(calendar.working_days(today + timedelta(days=1), due_on))


async def _remind(
    session: AsyncSession, settings: Settings, *, today: date, now: datetime, policy: list[int]
) -> int:
    calendar = await calendar_service.load_calendar(session, settings)
    horizon = calendar.add_working_days(today, max(policy))
    rows = await repository.open_deadlines_due(session, today=today, horizon=horizon, batch=100_000)
    todo: list[repository.Reminder] = []
    days_left: dict[date, int] = {}
    for r in rows:
        if r.start_on >= today:
            # A stage is reminded of once it has run: one born inside its own warning window
            # (the one-working-day registration stage of every new appeal) would be reminded
            # of at birth, doubling the events for nothing (issue 19); it is on its due day.
            continue
        if r.due_on not in days_left:
            days_left[r.due_on] = _working_days_left(calendar, today, r.due_on)
        left = days_left[r.due_on]
        mark = reminder_for(left, policy)
        if mark is not None:
            todo.append((r.appeal_id, r.rule, r.due_on, mark, left))
    if not todo:
        return 0
    return await repository.publish_reminders(session, todo, now=now)


UNROUTED = "(not routed)"


async def control_rows(
    session: AsyncSession, settings: Settings, *, today: date, soon: int, limit: int
) -> list[ControlRow]:
    """R-9.2 (§20): overdue and soon-due stages, a row per unit and named executor."""
    calendar = await calendar_service.load_calendar(session, settings)
    horizon = calendar.add_working_days(today, soon) if soon else today
    out: list[ControlRow] = []
    for r in await repository.control_deadlines(session, horizon=horizon, limit=limit):
        overdue = r.due_on < today
        days = (today - r.due_on).days if overdue else _working_days_left(calendar, today, r.due_on)
        units = list(r.units) or [UNROUTED]
        for position, unit in enumerate(units):
            named = [e["name"] for e in r.executors if e.get("unit") == unit]
            out.extend(
                ControlRow(
                    unit=unit,
                    executor=executor,
                    appeal_id=r.id,
                    number=display_number(r.year, r.seq),
                    status=r.status,
                    rule=r.rule,
                    due_on=r.due_on,
                    lead=position == 0 and unit != UNROUTED,
                    overdue=overdue,
                    days_overdue=days if overdue else None,
                    working_days_left=None if overdue else days,
                )
                for executor in named or [None]
            )
    # The statement gives the deadlines by due date (so overdue first), year and number; a
    # stable sort by unit and executor keeps that order within each of them.
    out.sort(key=lambda row: (row.unit, row.executor or ""))
    return out
