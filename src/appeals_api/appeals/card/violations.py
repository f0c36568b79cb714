"""The card's violations (R-9.3, R-9.4): every recorded one, and the answer deadline in force
if it has passed unanswered and the watch has not recorded it yet — as data and as sentences."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Literal

from appeals_api.appeals.card.schemas import CardViolation
from appeals_api.appeals.models import Appeal, AppealDeadline, AppealViolation
from appeals_api.appeals.reading.fields import is_overdue
from appeals_api.appeals.repository import ANSWER_RULES
from appeals_api.calendar.rules import RULES


def violation_note(
    appeal: Appeal,
    *,
    today: date,
    violations: Sequence[AppealViolation] = (),
    deadlines: Sequence[AppealDeadline] = (),
) -> str | None:
    """R-9.3, R-9.4: every recorded violation, and the answer deadline in force if it has
    passed unanswered and the watch has not recorded it yet; None if no deadline was missed."""
    found = violated_stages(appeal, today=today, violations=violations, deadlines=deadlines)
    return " ".join(_sentence(v, today) for v in found) or None


def violated_stages(
    appeal: Appeal,
    *,
    today: date,
    violations: Sequence[AppealViolation] = (),
    deadlines: Sequence[AppealDeadline] = (),
) -> list[CardViolation]:
    """The violations of `violation_note`, as data (the printed card words them itself)."""
    missed = [(v.rule, v.due_on, v.deadline_id) for v in violations]
    if is_overdue(appeal, today) and (appeal.answer_rule, appeal.due_date) not in {
        (rule, due) for rule, due, _ in missed
    }:
        answer = next((d for d in reversed(deadlines) if d.rule == appeal.answer_rule), None)
        missed.append((appeal.answer_rule, appeal.due_date, answer.id if answer else None))
    by_id = {d.id: d for d in deadlines}
    return [
        _violated(appeal, rule, due, by_id.get(deadline_id or 0), today=today)
        for rule, due, deadline_id in sorted(missed, key=lambda m: (m[1], m[0]))
    ]


def _violated(
    appeal: Appeal, rule: str, due: date, deadline: AppealDeadline | None, *, today: date
) -> CardViolation:
    same = deadline if deadline is not None and deadline.due_on == due else None
    ended = same.done_on if same is not None else None
    cancelled = same is not None and same.cancelled
    if rule in ANSWER_RULES and appeal.completed_on is not None and not cancelled:
        ended = appeal.completed_on  # the day consideration ended
    if ended is None:
        return CardViolation(
            rule=rule, due_date=due, state="open", ended_on=None, days_late=(today - due).days
        )
    state: Literal["cancelled", "ended"] = "cancelled" if cancelled else "ended"
    return CardViolation(
        rule=rule, due_date=due, state=state, ended_on=ended, days_late=(ended - due).days
    )


def _sentence(v: CardViolation, today: date) -> str:
    rule = RULES.get(v.rule)
    named = f"{v.rule} ({rule.clause}: {rule.description})" if rule else v.rule
    head = f"The deadline {named} of {v.due_date.isoformat()} was violated"
    answer = v.rule in ANSWER_RULES
    if v.state == "open":
        what = "not yet answered" if answer else "the stage is not yet done"
        late = _days(v.days_late)
        return f"{head}: as of {today.isoformat()} the appeal is {late} overdue and {what}."
    assert v.ended_on is not None
    if v.state == "cancelled":
        return f"{head}: it had passed unmet when the stage was cancelled on {v.ended_on}."
    done = "consideration ended" if answer else "the stage was done"
    return f"{head} by {_days(v.days_late)}: {done} on {v.ended_on.isoformat()}."


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"
