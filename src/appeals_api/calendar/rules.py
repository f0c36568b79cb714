"""The legal deadlines of DOMAIN.md R-3.3 as data, and the period arithmetic of R-3.1/R-3.2."""

from __future__ import annotations

from calendar import monthrange
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from types import MappingProxyType
from zoneinfo import ZoneInfo

from appeals_api.calendar.workdays import WorkCalendar


class PeriodUnit(StrEnum):
    DAYS = "days"
    WORKING_DAYS = "working_days"
    MONTHS = "months"
    SAME_DAY = "same_day"


class UnknownRuleError(ValueError):
    def __init__(self, name: str) -> None:
        super().__init__(f"unknown deadline rule: {name!r}")
        self.name = name


@dataclass(frozen=True)
class DeadlineRule:
    """One row of the R-3.3 table: a legal period, what it is counted from, and its clause."""

    name: str
    description: str
    unit: PeriodUnit
    amount: int
    counted_from: str
    clause: str

    def __post_init__(self) -> None:
        # A zero-length period would make the deadline fall on the start date itself, which only
        # "same day" rules mean; anything else is a typo in the table.
        if self.unit is PeriodUnit.SAME_DAY:
            if self.amount != 0:
                raise ValueError(f"{self.name}: a same-day rule has amount 0")
        elif self.amount < 1:
            raise ValueError(f"{self.name}: amount must be >= 1, got {self.amount}")


_RULES = (
    DeadlineRule(
        name="registration",
        description="register the appeal and submit it to management",
        unit=PeriodUnit.WORKING_DAYS,
        amount=1,
        counted_from="receipt",
        clause="§25, App. 1",
    ),
    DeadlineRule(
        name="dispatch",
        description="send the appeal to the executors",
        unit=PeriodUnit.WORKING_DAYS,
        amount=1,
        counted_from="resolution signed",
        clause="§26, App. 1",
    ),
    DeadlineRule(
        name="answer",
        description="application or complaint: response",
        unit=PeriodUnit.DAYS,
        amount=15,
        counted_from="receipt",
        clause="§36",
    ),
    DeadlineRule(
        name="answer_extended_study",
        description=(
            "application or complaint needing additional study, verification or documents: response"
        ),
        unit=PeriodUnit.MONTHS,
        amount=1,
        counted_from="receipt",
        clause="§36",
    ),
    DeadlineRule(
        name="proposal_answer",
        description="proposal: response",
        unit=PeriodUnit.MONTHS,
        amount=1,
        counted_from="receipt",
        clause="§37",
    ),
    DeadlineRule(
        name="proposal_study_notice",
        description="proposal needing additional study: notify the applicant",
        unit=PeriodUnit.DAYS,
        amount=10,
        counted_from="receipt",
        clause="§37",
    ),
    DeadlineRule(
        name="forward",
        description="out of scope: forward to the competent body and notify the applicant",
        unit=PeriodUnit.DAYS,
        amount=5,
        counted_from="receipt",
        clause="§31",
    ),
    DeadlineRule(
        name="return",
        description="not enough information to forward: return with an explanation",
        unit=PeriodUnit.DAYS,
        amount=5,
        counted_from="receipt",
        clause="§31",
    ),
    DeadlineRule(
        name="withdrawal_answer",
        description="withdrawal: written response",
        unit=PeriodUnit.DAYS,
        amount=3,
        counted_from="withdrawal received",
        clause="§17, §51",
    ),
    DeadlineRule(
        name="clarification",
        description="clarification or correction of a response",
        unit=PeriodUnit.DAYS,
        amount=10,
        counted_from="request received",
        clause="§42",
    ),
    DeadlineRule(
        name="sign",
        description="response submitted: signed by a manager",
        unit=PeriodUnit.WORKING_DAYS,
        amount=1,
        counted_from="response submitted",
        clause="App. 1 stage 4",
    ),
    DeadlineRule(
        name="send_response",
        description="signed response letter: send it",
        unit=PeriodUnit.SAME_DAY,
        amount=0,
        counted_from="signing",
        clause="App. 1",
    ),
)

RULES: Mapping[str, DeadlineRule] = MappingProxyType({rule.name: rule for rule in _RULES})


def get_rule(name: str) -> DeadlineRule:
    """R-3.3: the deadline rule called `name`; UnknownRuleError if the table has no such row."""
    try:
        return RULES[name]
    except KeyError:
        raise UnknownRuleError(name) from None


def add_months(day: date, months: int) -> date:
    """R-3.1: the same day `months` later, or that month's last day if it has no such day."""
    index = day.year * 12 + (day.month - 1) + months
    year, month_index = divmod(index, 12)
    month = month_index + 1
    if not 1 <= year <= 9999:
        raise ValueError(f"{day.isoformat()} {months:+d} months is outside the calendar")
    return date(year, month, min(day.day, monthrange(year, month)[1]))


def compute_due(rule: DeadlineRule, start: date, calendar: WorkCalendar) -> date:
    """R-3.1 (§35): the deadline of `rule` counted from `start`, on a working day."""
    match rule.unit:
        case PeriodUnit.DAYS:
            try:
                raw = start + timedelta(days=rule.amount)
            except OverflowError:
                raise ValueError(f"{rule.name} from {start} is outside the calendar") from None
            return calendar.roll_forward(raw)
        case PeriodUnit.MONTHS:
            return calendar.roll_forward(add_months(start, rule.amount))
        case PeriodUnit.WORKING_DAYS:
            return calendar.add_working_days(start, rule.amount)
        case PeriodUnit.SAME_DAY:
            return calendar.roll_forward(start)


def start_date(
    received_at: datetime,
    *,
    electronic: bool,
    calendar: WorkCalendar,
    tz: ZoneInfo,
    work_end: time,
) -> date:
    """R-3.2 (§35): the start date; an e-appeal after hours or on a day off starts next workday."""
    if received_at.tzinfo is None or received_at.utcoffset() is None:
        raise ValueError(f"received_at must be timezone-aware, got {received_at!r}")
    if work_end.tzinfo is not None:
        raise ValueError(f"work_end is a local wall-clock time without tzinfo, got {work_end!r}")
    local = received_at.astimezone(tz)
    day = local.date()
    if not electronic:
        return day
    # Only the end of working hours moves an e-appeal (§35): one sent at 07:00 on a working day
    # was received that day, even though nobody reads it before opening.
    if not calendar.is_working_day(day) or after_hours(local.time(), work_end):
        return calendar.next_working_day(day)
    return day


def after_hours(local: time, work_end: time) -> bool:
    """R-3.2 (§35): later than the end of working hours; exactly 18:00:00 is still within."""
    return local.replace(tzinfo=None) > work_end
