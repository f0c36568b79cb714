"""The appeals' deadline policy (R-3): which rule applies to an appeal, the deadlines set at
registration, and their recomputation when a decree changes the calendar (R-3.6).

The calendar domain knows working days, the named legal periods and the decree overrides; which
period applies to which appeal, and what follows when the calendar changes, is decided here.
"""

from __future__ import annotations

import functools
from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from appeals_api.appeals import journal
from appeals_api.appeals import repository as appeals_repository
from appeals_api.appeals.enums import Kind
from appeals_api.appeals.models import AppealDeadline
from appeals_api.calendar.rules import RULES, compute_due, get_rule
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
    """Recompute every open, calendar-derived deadline whose span covers the changed day (R-3.6).

    A deadline counted from `start_on` to `due_on` depends only on the days in that span, so a
    change of any other day cannot move it. Deadlines fixed by a manager's decision stay. The
    caller holds the calendar version exclusively (lock 1), then this takes the deadlines' and
    their appeals' rows, in the order of the appeals' ids."""
    actor = journal.Actor.of(change.actor)
    changed = 0
    for deadline in await appeals_repository.open_deadlines_spanning(session, change.day):
        if deadline.rule not in RULES:
            continue
        new_due = compute_due(get_rule(deadline.rule), deadline.start_on, calendar)
        if new_due != deadline.due_on:
            await _move(
                session, deadline, new_due, actor=actor, now=change.now, reason=change.reason
            )
            changed += 1
    await session.flush()
    return changed


async def _move(
    session: AsyncSession,
    deadline: AppealDeadline,
    new_due: date,
    *,
    actor: journal.Actor,
    now: datetime,
    reason: str,
) -> None:
    """A deadline the calendar moved: its appeal follows when it is the answer's (R-3.6)."""
    old_due = deadline.due_on
    deadline.due_on = deadline.original_due_on = new_due
    appeal = await appeals_repository.get_for_update(session, deadline.appeal_id)
    assert appeal is not None  # a deadline belongs to its appeal
    if appeal.answer_rule == deadline.rule:
        appeal.due_date = new_due
    moved = {"previous_due_date": old_due.isoformat(), "due_date": new_due.isoformat()}
    await journal.record(
        session,
        appeal,
        actor=actor,
        action="deadline_recomputed",
        at=now,
        changes={f"deadlines.{deadline.rule}": [old_due.isoformat(), new_due.isoformat()]},
        note=reason,
        events=[
            ("appeal.deadline_changed", {"rule": deadline.rule, **moved, "reason": "calendar"})
        ],
    )
