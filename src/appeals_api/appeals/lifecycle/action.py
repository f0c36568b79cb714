"""What an action handler works with: the locked appeal, its facts, and a record of changes.

Handlers change the appeal through `Action`, which remembers every change (before → after)
for the history row and every event for the outbox; `lifecycle.perform` writes both.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from appeals_api.appeals import journal
from appeals_api.appeals.enums import LetterKind, LetterState, Status
from appeals_api.appeals.lifecycle import repository as lifecycle_repository
from appeals_api.appeals.lifecycle.workflow import Facts
from appeals_api.appeals.models import Appeal, AppealDeadline, Letter
from appeals_api.appeals.numbering import display_number
from appeals_api.auth.roles import Principal
from appeals_api.calendar import service as calendar_service
from appeals_api.calendar.rules import compute_due, get_rule
from appeals_api.calendar.workdays import WorkCalendar
from appeals_api.config import Settings
from appeals_api.errors import Conflict, FieldError, Unprocessable


def jsonable(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    return value


def addressee(appeal: Appeal) -> str | None:
    """§41: the first applicant, or the one they designated (R-6.2)."""
    return addressee_of(appeal.applicants, appeal.respond_to)


def addressee_of(applicants: list[dict[str, Any]], respond_to: int | None) -> str | None:
    """§41: the name of the applicant answered, from the applicants as stored."""
    if not applicants:
        return None
    person = applicants[respond_to or 0]
    if person.get("type") == "legal_entity":
        return person.get("name")
    parts = [person.get("last_name"), person.get("first_name"), person.get("patronymic")]
    return " ".join(p for p in parts if p) or None


def invalid(field_name: str, message: str) -> Unprocessable:
    return Unprocessable(message, [FieldError(field=field_name, message=message, type="rule")])


@dataclass
class Action:
    session: AsyncSession
    settings: Settings
    facts: Facts
    principal: Principal
    now: datetime
    changes: dict[str, list[Any]] = field(default_factory=dict)
    events: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    stay: bool = False  # an interim response leaves the status as it is
    to: Status | None = None  # a sent letter of a way out takes it there (LETTER_EXITS, §31)
    # Passed stages this action touched without changing them (a decision too late to move the
    # deadline): recorded as violations like those it met or moved.
    late: list[AppealDeadline] = field(default_factory=list)
    _calendar: WorkCalendar | None = None

    @property
    def today(self) -> date:
        return self.now.astimezone(self.settings.tz).date()

    @property
    def appeal(self) -> Appeal:
        return self.facts.appeal

    @property
    def received_on(self) -> date:
        return self.appeal.received_at.astimezone(self.settings.tz).date()

    async def calendar(self) -> WorkCalendar:
        if self._calendar is None:
            self._calendar = await calendar_service.load_calendar(self.session, self.settings)
        return self._calendar

    def set(self, name: str, value: Any) -> None:
        """Change a column of the appeal and remember the change for the history."""
        before = getattr(self.appeal, name)
        if before != value:
            self.changes[name] = [jsonable(before), jsonable(value)]
            setattr(self.appeal, name, value)

    def note(self, key: str, value: Any) -> None:
        """Remember a fact of this action that is not a column of the appeal."""
        self.changes[key] = [None, jsonable(value)]

    def emit(self, type: str, **data: Any) -> None:
        self.events.append((type, jsonable(data)))

    async def add_deadline(
        self, rule: str, start: date, *, done_on: date | None = None
    ) -> AppealDeadline:
        """A stage deadline by its R-3.3 rule, counted from `start` on the calendar in force."""
        due = compute_due(get_rule(rule), start, await self.calendar())
        deadline = AppealDeadline(
            appeal_id=self.appeal.id,
            rule=rule,
            start_on=start,
            due_on=due,
            original_due_on=due,
            done_on=done_on,
            fixed=False,
            cancelled=False,
        )
        self.session.add(deadline)
        self.facts.deadlines.append(deadline)
        self.changes[f"deadlines.{rule}"] = [None, due.isoformat()]
        return deadline

    def close_deadline(
        self, deadline: AppealDeadline, on: date, *, cancelled: bool = False
    ) -> None:
        # An act before the stage began (an e-appeal received after hours, handled that
        # evening: counts it from the next working day) closes it on the day it began.
        on = max(on, deadline.start_on)
        deadline.done_on = on
        deadline.cancelled = cancelled
        what = "cancelled_on" if cancelled else "done_on"
        self.changes[f"deadlines.{deadline.rule}.{what}"] = [None, on.isoformat()]

    def close_open(self, on: date, *, cancelled: bool, keep: tuple[str, ...] = ()) -> None:
        """Close every open stage: met on `on`, or cancelled because it no longer applies."""
        for deadline in self.facts.deadlines:
            if deadline.done_on is None and deadline.rule not in keep:
                self.close_deadline(deadline, on, cancelled=cancelled)

    def complete(self, on: date) -> None:
        """R-6.3 (§43): consideration ends on `on`, never before the registration date (an act
        on the evening an e-appeal came in after hours ends it on the day counting starts)."""
        self.set("completed_on", max(on, self.appeal.registered_on))

    def off_control(self) -> None:
        """§47, §66: the appeal leaves control, by this official, now."""
        self.set("control_removed_at", self.now)
        self.set("control_removed_by", self.principal.label)

    def check_date(self, name: str, value: date, *, not_before: date | None = None) -> date:
        """A date the caller reports: not in the future, not before what it follows."""
        if value > self.today:
            raise invalid(name, f"{name} is in the future")
        floor = not_before or self.received_on
        if value < floor:
            raise invalid(name, f"{name} is before {floor.isoformat()}")
        return value

    @property
    def actor(self) -> journal.Actor:
        return journal.Actor.of(self.principal)

    async def touch(
        self, other: Appeal, *, action: str, changes: dict[str, list[Any]], note: str | None
    ) -> None:
        """Record a change this action made to another appeal (a joined duplicate, R-5.2)."""
        await journal.record(
            self.session, other, actor=self.actor, action=action, at=self.now, changes=changes,
            note=note,
        )  # fmt: skip

    async def record_on(
        self, appeal_id: uuid.UUID, *, action: str, changes: dict[str, list[Any]], note: str | None
    ) -> None:
        """A history row on another appeal, by this caller, now; that appeal is not changed."""
        await journal.note_on(
            self.session, appeal_id, actor=self.actor, action=action, at=self.now,
            changes=changes, note=note,
        )  # fmt: skip

    def letter(self, kind: LetterKind, state: LetterState, **values: Any) -> Letter:
        """A letter of this appeal, drafted (or sent) by the caller now."""
        letter = Letter(
            appeal_id=self.appeal.id,
            kind=kind,
            state=state,
            drafted_by=self.principal.label,
            drafted_at=self.now,
            **values,
        )
        self.session.add(letter)
        self.facts.letters.append(letter)
        return letter

    def letter_to_applicant(
        self, kind: LetterKind, *, letter_number: str, sent_on: date, text: str | None = None
    ) -> Letter:
        """A letter sent to the applicant (§41), in the appeal's language (§40), by this caller."""
        return self.letter(
            kind,
            LetterState.SENT,
            text=text,
            addressee=addressee(self.appeal),
            letter_number=letter_number,
            sent_on=sent_on,
            sent_by=self.principal.label,
            language=self.appeal.language,
        )

    def letter_of(self, kind: LetterKind, state: LetterState) -> Letter:
        letter = next(
            (x for x in reversed(self.facts.letters) if x.kind == kind and x.state == state), None
        )
        if letter is None:  # the transition map makes this unreachable; say so if it is not
            raise Conflict(f"no {state} {kind} letter on this appeal")
        return letter

    async def follow_duplicates(self, **values: Any) -> None:
        """R-5.2: duplicates joined to this appeal share its deadline and its answer."""
        for dup in await lifecycle_repository.joined_duplicates(self.session, self.appeal.id):
            changes = {k: [jsonable(getattr(dup, k)), jsonable(v)] for k, v in values.items()}
            for k, v in values.items():
                setattr(dup, k, v)
            await self.touch(
                dup,
                action="followed_original",
                changes=changes,
                note=f"with {display_number(self.appeal.year, self.appeal.seq)}",
            )
