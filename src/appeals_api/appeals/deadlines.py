"""The appeals' deadline policy (R-3): which rule applies to an appeal, the deadlines set at
registration, and their recomputation when a decree changes the calendar (R-3.6).

The calendar domain knows working days, the named legal periods and the decree overrides; which
period applies to which appeal, and what follows when the calendar changes, is decided here.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession

from appeals_api.appeals import journal
from appeals_api.appeals import repository as appeals_repository
from appeals_api.appeals.enums import Form, Kind
from appeals_api.appeals.models import Appeal, AppealDeadline
from appeals_api.calendar import service as calendar_service
from appeals_api.calendar.rules import RULES, compute_due, get_rule, start_date
from appeals_api.calendar.service import RecomputeJob
from appeals_api.calendar.workdays import WorkCalendar
from appeals_api.config import Settings


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


class _Recompute:
    """R-3.6: what a decree override on a day changes, appeal by appeal, each appeal's changes in
    one history row (`main.create_app` wires it as the calendar's listener). Nothing recorded is
    removed: only open deadlines and starts move, never a violation (R-9.4).

    1. An open e-appeal whose start the day decides (received on or before it, counting from
       it or later) is re-dated as a fresh intake would date it now (R-3.2), with the stages
       counted from receipt.
    2. Open, calendar-derived deadlines whose span covers the day are recomputed: a deadline
       counted from `start_on` to `due_on` depends only on the days in that span.
    3. A deadline fixed by a manager on a day the decree makes a day off goes to the next
       working day (§35).
    Counted on the calendar in force, the same inputs give the same dates: recomputing an
    appeal twice moves nothing the second time."""

    def scope(self, day: date, tz: ZoneInfo) -> Select[Any]:
        return appeals_repository.touched_by_day(day, tz)

    async def recompute(
        self,
        session: AsyncSession,
        calendar: WorkCalendar,
        job: RecomputeJob,
        appeal_ids: Sequence[uuid.UUID],
    ) -> int:
        appeals = await appeals_repository.lock_appeals(session, appeal_ids)
        stages = await appeals_repository.deadlines_of(session, [a.id for a in appeals])
        return await _recorded(session, job, [(a, stages[a.id]) for a in appeals], calendar)


on_calendar_change = _Recompute()


async def catch_up(
    session: AsyncSession, appeal: Appeal, calendar: WorkCalendar, settings: Settings, now: datetime
) -> None:
    """An action's rule (R-3.6): an appeal a decree override's recompute has not reached yet is
    recomputed first, on the calendar the action locked, so the action never works on (nor
    records a violation from) a deadline counted on an older calendar. The caller holds the
    appeal's row; the recompute, when it reaches the appeal, finds nothing left to move."""
    for job in await calendar_service.pending_for(session, settings, appeal.id, now):
        stages = await appeals_repository.deadlines_of(session, [appeal.id])
        await _recorded(session, job, [(appeal, stages[appeal.id])], calendar)
    await session.flush()


async def _recorded(
    session: AsyncSession,
    job: RecomputeJob,
    appeals: Sequence[tuple[Appeal, list[AppealDeadline]]],
    calendar: WorkCalendar,
) -> int:
    """Steps 1–3 on locked appeals, their changes recorded by one journal statement for all
    (one per appeal made a batch of 50 take a second); how many deadlines moved."""
    entries = []
    for appeal, deadlines in appeals:
        changes, events = recompute_appeal(appeal, deadlines, calendar, job)
        if changes:
            entries.append(journal.Entry(appeal, changes, events))
    actor = journal.Actor(id=job.actor_id, name=job.actor_name, role=job.actor_role)
    await journal.record_many(
        session, entries, actor=actor, action="deadline_recomputed", at=job.now, note=job.note
    )
    return sum(len(e.events) for e in entries)


def recompute_appeal(
    appeal: Appeal,
    deadlines: list[AppealDeadline],
    calendar: WorkCalendar,
    job: RecomputeJob,
) -> tuple[journal.Changes, list[journal.EventSpec]]:
    """Steps 1–3 of `_Recompute` on one locked appeal: what moved (set on the appeal and its
    deadlines), as its history's changes and its events."""
    changes: journal.Changes = {}
    events: list[journal.EventSpec] = []
    if _starts_across(appeal, job):
        new_start = start_date(
            appeal.received_at, electronic=True, calendar=calendar, tz=job.tz, work_end=job.work_end
        )
        if new_start != appeal.registered_on:
            changes, events = _restart(appeal, deadlines, new_start, calendar)
    for d in deadlines:
        if d.done_on is not None or d.rule not in RULES:
            continue
        if not d.fixed and d.start_on <= job.day <= d.due_on:
            _move(appeal, d, compute_due(get_rule(d.rule), d.start_on, calendar), changes, events)
        elif d.fixed and d.due_on == job.day and not calendar.is_working_day(job.day):
            _move(appeal, d, calendar.next_working_day(d.due_on), changes, events, fixed=True)
    return changes, events


def _starts_across(appeal: Appeal, job: RecomputeJob) -> bool:
    """An open e-appeal received on or before the day, counting from it or later (step 1)."""
    received_on = appeal.received_at.astimezone(job.tz).date()
    return (
        appeal.completed_on is None
        and appeal.form == Form.ELECTRONIC
        and appeal.registered_on >= job.day
        and received_on <= job.day
    )


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


def _move(
    appeal: Appeal,
    deadline: AppealDeadline,
    new_due: date,
    changes: journal.Changes,
    events: list[journal.EventSpec],
    *,
    fixed: bool = False,
) -> None:
    """A deadline the calendar moved: its appeal follows when it is the answer's (R-3.6). A
    fixed deadline keeps its original (legal) date; a calendar-derived one's moves with it."""
    old_due = deadline.due_on
    if new_due == old_due:
        return
    deadline.due_on = new_due
    if not fixed:
        deadline.original_due_on = new_due
    if appeal.answer_rule == deadline.rule:
        appeal.due_date = new_due
    changes[f"deadlines.{deadline.rule}"] = [old_due.isoformat(), new_due.isoformat()]
    events.append(("appeal.deadline_changed", _moved(deadline.rule, old_due, new_due)))
