"""§16 (R-3.5): the year within which a complaint to a higher authority is filed.

"To a higher authority" is recognised by the body itself: an application or complaint that
carries `violation_learned_on` (the day the applicant learned of the action, inaction or
decision that violates their rights) is one filed "in the order of subordination" — the
applicant turns to the company over one of its units or officials. Intake refuses the date on a
proposal (there is no violation to learn of); nothing else about the appeal changes.

Filed on a calendar day (Tashkent) later than the same date a year after, it is late: it is
registered all the same (R-1.5) and flagged `filed_late`; it may then be left without
consideration on the ground `late_complaint`, unless a manager restored the term for a valid
reason (`restore_term`, recorded in the history).
"""

from __future__ import annotations

from datetime import date

from appeals_api.calendar.rules import add_months

TERM_MONTHS = 12


def last_day(learned_on: date) -> date:
    """The last day to file: a year from learning of it (29 February → 28 February)."""
    return add_months(learned_on, TERM_MONTHS)


def filed_late(*, learned_on: date | None, received_on: date) -> bool:
    """§16: received (Tashkent date) after the last day of the year."""
    return learned_on is not None and received_on > last_day(learned_on)
