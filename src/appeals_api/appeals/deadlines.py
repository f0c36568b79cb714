"""The appeals' deadline policy (R-3): which rule applies to an appeal, the deadlines set at
registration, and their recomputation when a decree changes the calendar (R-3.6).

The calendar domain knows working days, the named legal periods and the decree overrides; which
period applies to which appeal, and what follows when the calendar changes, is decided here.
"""

from __future__ import annotations

import functools
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from appeals_api.appeals import journal
from appeals_api.appeals import repository as appeals_repository
from appeals_api.appeals.enums import Kind
from appeals_api.appeals.models import Appeal, AppealDeadline
from appeals_api.calendar.rules import RULES, compute_due, get_rule, start_date
from appeals_api.calendar.service import CalendarChange
from appeals_api.calendar.workdays import WorkCalendar


def answer_rule_for(kind: Kind) -> str:
    """R-3.3: a proposal is answered in a month (§37), an application or complaint in 15 days."""
    return "proposal_answer" if kind is Kind.PROPOSAL else "answer"


def registration_deadlines(
    *, registered_on: date, kind: Kind, calendar: WorkCalendar
) -> list[dict[str, Any]]:
    """The stage deadlines set at registration (R-3.3), counted from the start date (R-3.2)."""
    return [
        {"rule": rule, "start_on": registered_on, "due_on": due, "original_due_on": due}
        for rule, due in _registration_dues(registered_on, answer_rule_for(kind), calendar)
    ]


@functools.lru_cache(maxsize=256)
def _registration_dues(
    registered_on: date, answer_rule: str, calendar: WorkCalendar
) -> tuple[tuple[str, date], ...]:
    """Keyed by the calendar itself (equal calendars are equal keys): a burst of intake on one
    day counts its deadlines once, and a changed calendar is a new key."""
    return tuple(
        (rule, compute_due(get_rule(rule), registered_on, calendar))
        for rule in ("registration", answer_rule)
    )


async def on_calendar_change(
    session: AsyncSession, calendar: WorkCalendar, change: CalendarChange
) -> int:
    """R-3.6: what a decree override on a day changes, each with a history row; how many
    deadlines moved. Nothing recorded is removed: only open deadlines and starts move.

    1. An open e-appeal whose start the day decides (received on or before it, counting from
       it or later) is re-dated as a fresh intake would date it now (R-3.2), with the stages
       counted from receipt.
    2. Open, calendar-derived deadlines whose span covers the day are recomputed: a deadline
       counted from `start_on` to `due_on` depends only on the days in that span.
    3. A deadline fixed by a manager on a day the decree makes a day off goes to the next
       working day (§35).
    The caller holds the calendar version exclusively (lock 1); each step takes its rows in the
    order of the appeals' ids."""
    actor = journal.Actor.of(change.actor)
    changed = await _redate_starts(session, calendar, change, actor)
    for deadline in await appeals_repository.open_deadlines_spanning(session, change.day):
        if deadline.rule not in RULES:
            continue
        new_due = compute_due(get_rule(deadline.rule), deadline.start_on, calendar)
        if new_due != deadline.due_on:
            await _move(session, deadline, new_due, actor=actor, change=change)
            changed += 1
    if not calendar.is_working_day(change.day):
        for deadline in await appeals_repository.open_fixed_deadlines_due(session, change.day):
            new_due = calendar.next_working_day(deadline.due_on)
            await _move(session, deadline, new_due, actor=actor, change=change, fixed=True)
            changed += 1
    await session.flush()
    return changed


async def _redate_starts(
    session: AsyncSession, calendar: WorkCalendar, change: CalendarChange, actor: journal.Actor
) -> int:
    """Step 1 of `on_calendar_change`: e-appeals whose start the changed day decides."""
    tz, moved = change.tz, 0
    appeals = await appeals_repository.open_electronic_starting_across(session, change.day, tz)
    stages = await appeals_repository.deadlines_of(session, [a.id for a in appeals])
    for appeal in appeals:
        new_start = start_date(
            appeal.received_at, electronic=True, calendar=calendar, tz=tz, work_end=change.work_end
        )
        if new_start == appeal.registered_on:
            continue
        changes, events = _restart(appeal, stages[appeal.id], new_start, calendar)
        moved += len(events)
        await journal.record(
            session, appeal, actor=actor, action="deadline_recomputed", at=change.now,
            changes=changes, note=change.reason, events=events,
        )  # fmt: skip
    return moved


def _restart(
    appeal: Appeal, deadlines: list[AppealDeadline], new_start: date, calendar: WorkCalendar
) -> tuple[journal.Changes, list[journal.EventSpec]]:
    """The appeal counted from `new_start`: its open stages counted from receipt follow; one a
    manager fixed keeps its date. The changes for the history, the events for the feed."""
    old_start = appeal.registered_on
    changes: journal.Changes = {"registered_on": [old_start.isoformat(), new_start.isoformat()]}
    events: list[journal.EventSpec] = []
    appeal.registered_on = new_start
    for d in deadlines:
        if d.done_on is not None or d.start_on != old_start or d.rule not in RULES:
            continue
        if get_rule(d.rule).counted_from != "receipt":
            continue
        d.start_on = new_start
        if d.fixed:
            continue
        old_due, d.due_on = d.due_on, compute_due(get_rule(d.rule), new_start, calendar)
        d.original_due_on = d.due_on
        if d.due_on == old_due:
            continue
        if appeal.answer_rule == d.rule:
            appeal.due_date = d.due_on
        changes[f"deadlines.{d.rule}"] = [old_due.isoformat(), d.due_on.isoformat()]
        events.append(("appeal.deadline_changed", _moved(d.rule, old_due, d.due_on)))
    return changes, events


def _moved(rule: str, old: date, new: date) -> dict[str, Any]:
    """`appeal.deadline_changed`'s data for a deadline the calendar moved."""
    return {
        "rule": rule,
        "previous_due_date": old.isoformat(),
        "due_date": new.isoformat(),
        "reason": "calendar",
    }


async def _move(
    session: AsyncSession,
    deadline: AppealDeadline,
    new_due: date,
    *,
    actor: journal.Actor,
    change: CalendarChange,
    fixed: bool = False,
) -> None:
    """A deadline the calendar moved: its appeal follows when it is the answer's (R-3.6). A
    fixed deadline keeps its original (legal) date; a calendar-derived one's moves with it."""
    old_due = deadline.due_on
    deadline.due_on = new_due
    if not fixed:
        deadline.original_due_on = new_due
    appeal = await appeals_repository.get_for_update(session, deadline.appeal_id)
    assert appeal is not None  # a deadline belongs to its appeal
    if appeal.answer_rule == deadline.rule:
        appeal.due_date = new_due
    await journal.record(
        session,
        appeal,
        actor=actor,
        action="deadline_recomputed",
        at=change.now,
        changes={f"deadlines.{deadline.rule}": [old_due.isoformat(), new_due.isoformat()]},
        note=change.reason,
        events=[("appeal.deadline_changed", _moved(deadline.rule, old_due, new_due))],
    )
