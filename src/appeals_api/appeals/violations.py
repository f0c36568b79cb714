"""Violations are facts (R-9.4): a stage deadline that passed unmet is recorded once, and nothing
afterwards removes or rewrites it.

Two writers record them, one row per appeal, rule and due date whichever comes first: the
deadline watch (`control.repository`, in the statement that publishes `appeal.overdue`), and any
action that touches — meets, moves, cancels — a stage whose deadline had already passed when it
acted (`lifecycle.perform` takes a `Before` of the appeal's stages, then `record`). So
the violation exists even if the watch has not run yet, and no extension, study decision,
withdrawal or termination taken afterwards can make the appeal look on time.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from appeals_api.appeals import journal, repository
from appeals_api.appeals.models import Appeal, AppealDeadline

ANSWER_RULES = repository.ANSWER_RULES
VIOLATED = "deadline_violated"  # the history's action, whoever recorded the violation


def note_text(rule: str, due_on: date) -> str:
    """The history's note of a violation; the watch's statement writes the same words."""
    return (
        f"The {rule} deadline of {due_on.isoformat()} passed without the stage being done (R-9.3)."
    )


@dataclass(frozen=True)
class Stage:
    """A stage deadline as it stood before an action, already past due and not done."""

    deadline: AppealDeadline
    rule: str
    due_on: date

    def violated_by_change(self) -> bool:
        """Touched by the action, and not met in time: moved, cancelled, or done late. A stage
        met on a day not after its deadline is on time (R-6.3: judged by the day it was met)."""
        d = self.deadline
        if d.done_on is not None and not d.cancelled and d.done_on <= self.due_on:
            return False
        return (d.rule, d.due_on, d.done_on) != (self.rule, self.due_on, None)


@dataclass
class Before:
    """The appeal's stages before an action, and who was responsible for them then."""

    stages: list[Stage]
    known: set[int]  # id() of the deadlines that existed before the action
    units: list[str]
    executors: list[dict[str, Any]] = field(default_factory=list)


async def before(
    session: AsyncSession, appeal: Appeal, deadlines: Sequence[AppealDeadline], *, today: date
) -> Before:
    """The stages already past due and open when an action starts (and their responsible)."""
    stages = [
        Stage(d, d.rule, d.due_on) for d in deadlines if d.done_on is None and d.due_on < today
    ]
    executors = await repository.executors_in_force(session, appeal.id) if stages else []
    return Before(stages, {id(d) for d in deadlines}, list(appeal.units), executors)


def violated(
    was: Before, deadlines: Iterable[AppealDeadline], marked: Iterable[AppealDeadline]
) -> list[tuple[str, date, AppealDeadline]]:
    """What the action met of a passed stage: changed or closed late, or marked by its handler
    (a decision that comes too late to change the deadline); or a stage it added already late."""
    marked_ids = {id(d) for d in marked}
    out = [
        (s.rule, s.due_on, s.deadline)
        for s in was.stages
        if s.violated_by_change() or id(s.deadline) in marked_ids
    ]
    out += [
        (d.rule, d.due_on, d)
        for d in deadlines
        if id(d) not in was.known and d.done_on is not None and d.done_on > d.due_on
    ]
    return out


async def record(
    session: AsyncSession,
    appeal: Appeal,
    was: Before,
    found: list[tuple[str, date, AppealDeadline]],
    *,
    actor: journal.Actor,
    action: str,
    now: datetime,
) -> None:
    """R-9.4: record each violation an action met, with a history row when it is new."""
    if found:
        await session.flush()  # the deadlines an action added have their ids now
    for rule, due_on, deadline in found:
        new = await repository.insert_violation(
            session,
            appeal_id=appeal.id,
            rule=rule,
            due_on=due_on,
            now=now,
            units=was.units,
            executors=was.executors,
            deadline_id=deadline.id,
            recorded_by=action,
        )
        if new:
            await journal.note_on(
                session,
                appeal.id,
                actor=actor,
                action=VIOLATED,
                at=now,
                changes={"violations": [None, {"rule": rule, "due_date": due_on.isoformat()}]},
                note=note_text(rule, due_on),
            )
