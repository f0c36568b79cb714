"""DOMAIN.md R-3: the Uzbek working-day calendar and the deadline rules of R-3.3.

Worked examples use the real 2026 calendar of holidays==0.109 (checked by hand against
`holidays.UZ(years=2026)`); the property tests keep to 2020-2035.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from appeals_api.calendar.rules import (
    RULES,
    DeadlineRule,
    PeriodUnit,
    UnknownRuleError,
    add_months,
    compute_due,
    get_rule,
    start_date,
)
from appeals_api.calendar.workdays import (
    FIVE_DAY_WEEK,
    MAX_WORKING_DAYS_TO_ADD,
    SIX_DAY_WEEK,
    WorkCalendar,
)

TASHKENT = ZoneInfo("Asia/Tashkent")
WORK_END = time(18, 0)
FIVE_DAY = WorkCalendar()
SIX_DAY = WorkCalendar(weekend=SIX_DAY_WEEK)

PROPERTY_SETTINGS = settings(max_examples=200, deadline=None, database=None)


def due(name: str, start: date, calendar: WorkCalendar = FIVE_DAY) -> date:
    return compute_due(get_rule(name), start, calendar)


def received(
    year: int, month: int, day: int, hour: int, minute: int = 0, *, electronic: bool = True
) -> date:
    at = datetime(year, month, day, hour, minute, tzinfo=TASHKENT)
    return start_date(at, electronic=electronic, calendar=FIVE_DAY, tz=TASHKENT, work_end=WORK_END)


# --- the base calendar ---------------------------------------------------------------------


def test_R_3_calendar_2026_days_off_and_working_saturday_come_from_the_package() -> None:
    weekday_days_off = {
        day
        for day in (date(2026, 1, 1) + timedelta(days=i) for i in range(365))
        if day.isoweekday() <= 5 and not FIVE_DAY.is_working_day(day)
    }
    assert weekday_days_off == {
        date(2026, 1, 1),  # New Year's Day
        date(2026, 1, 2),  # additional day off by decree
        date(2026, 3, 9),  # Women's Day (Sun 8th) observed
        date(2026, 3, 20),  # Eid al-Fitr
        date(2026, 3, 23),  # Nowruz (Sat 21st) observed
        date(2026, 5, 11),  # Day of Memory and Honor (Sat 9th) observed
        date(2026, 5, 27),  # Eid al-Adha
        date(2026, 5, 28),  # decree
        date(2026, 5, 29),  # decree
        date(2026, 8, 31),  # decree
        date(2026, 9, 1),  # Independence Day
        date(2026, 10, 1),  # Teachers and Instructors Day
        date(2026, 12, 8),  # Constitution Day
        date(2026, 12, 31),  # substituted from Saturday 12 December
    }
    working_weekend_days = [
        day
        for day in (date(2026, 1, 1) + timedelta(days=i) for i in range(365))
        if day.isoweekday() >= 6 and FIVE_DAY.is_working_day(day)
    ]
    assert working_weekend_days == [date(2026, 12, 12)]


def test_R_3_non_working_reason_names_the_holiday_the_weekend_or_the_override() -> None:
    assert FIVE_DAY.non_working_reason(date(2026, 3, 21)) == "Nowruz"
    assert FIVE_DAY.non_working_reason(date(2026, 3, 23)) == "Nowruz (observed)"
    assert FIVE_DAY.non_working_reason(date(2026, 5, 28)) == (
        "Additional day off by Presidential decree"
    )
    assert (
        FIVE_DAY.non_working_reason(date(2026, 12, 31)) == "Day off (substituted from 12/12/2026)"
    )
    assert FIVE_DAY.non_working_reason(date(2026, 4, 18)) == "weekend"
    assert FIVE_DAY.non_working_reason(date(2026, 12, 12)) is None
    assert FIVE_DAY.non_working_reason(date(2026, 4, 15)) is None
    with_overrides = WorkCalendar(overrides={date(2026, 4, 15): False, date(2026, 3, 20): True})
    assert with_overrides.non_working_reason(date(2026, 4, 15)) == "override"
    assert with_overrides.non_working_reason(date(2026, 3, 20)) is None


def test_R_3_next_working_day_roll_forward_and_working_days_on_2026() -> None:
    assert FIVE_DAY.next_working_day(date(2026, 3, 19)) == date(2026, 3, 24)
    assert FIVE_DAY.next_working_day(date(2026, 3, 24)) == date(2026, 3, 25)
    assert FIVE_DAY.roll_forward(date(2026, 3, 24)) == date(2026, 3, 24)
    assert FIVE_DAY.roll_forward(date(2026, 5, 27)) == date(2026, 6, 1)
    assert FIVE_DAY.working_days(date(2026, 12, 7), date(2026, 12, 14)) == [
        date(2026, 12, 7),
        date(2026, 12, 9),
        date(2026, 12, 10),
        date(2026, 12, 11),
        date(2026, 12, 12),
        date(2026, 12, 14),
    ]
    assert FIVE_DAY.working_days(date(2026, 12, 14), date(2026, 12, 7)) == []


def test_R_3_1_add_working_days_counts_only_working_days() -> None:
    assert FIVE_DAY.add_working_days(date(2026, 5, 26), 1) == date(2026, 6, 1)
    assert FIVE_DAY.add_working_days(date(2026, 5, 26), 2) == date(2026, 6, 2)
    assert FIVE_DAY.add_working_days(date(2026, 12, 30), 1) == date(2027, 1, 4)
    assert FIVE_DAY.add_working_days(date(2026, 5, 30), 0) == date(2026, 6, 1)
    assert FIVE_DAY.add_working_days(date(2026, 6, 1), 0) == date(2026, 6, 1)


# --- the table ---------------------------------------------------------------------------


def test_R_3_3_table_has_every_row_with_its_period_and_clause() -> None:
    assert {name: (r.unit, r.amount, r.counted_from, r.clause) for name, r in RULES.items()} == {
        "registration": (PeriodUnit.WORKING_DAYS, 1, "receipt", "§25, App. 1"),
        "dispatch": (PeriodUnit.WORKING_DAYS, 1, "resolution signed", "§26, App. 1"),
        "answer": (PeriodUnit.DAYS, 15, "receipt", "§36"),
        "answer_extended_study": (PeriodUnit.MONTHS, 1, "receipt", "§36"),
        "proposal_answer": (PeriodUnit.MONTHS, 1, "receipt", "§37"),
        "proposal_study_notice": (PeriodUnit.DAYS, 10, "receipt", "§37"),
        "forward": (PeriodUnit.DAYS, 5, "receipt", "§31"),
        "return": (PeriodUnit.DAYS, 5, "receipt", "§31"),
        "withdrawal_answer": (PeriodUnit.DAYS, 3, "withdrawal received", "§17, §51"),
        "clarification": (PeriodUnit.DAYS, 10, "request received", "§42"),
        "sign": (PeriodUnit.WORKING_DAYS, 1, "response submitted", "App. 1 stage 4"),
        "send_response": (PeriodUnit.SAME_DAY, 0, "signing", "App. 1"),
    }
    assert all(rule.name == name and rule.description for name, rule in RULES.items())


def test_R_3_3_unknown_rule_name_raises_unknown_rule_error() -> None:
    with pytest.raises(UnknownRuleError, match="answr") as caught:
        get_rule("answr")
    assert isinstance(caught.value, ValueError)
    assert caught.value.name == "answr"


def test_R_3_3_a_rule_with_a_zero_period_is_rejected() -> None:
    with pytest.raises(ValueError, match="amount"):
        DeadlineRule("x", "x", PeriodUnit.DAYS, 0, "receipt", "§36")
    with pytest.raises(ValueError, match="amount"):
        DeadlineRule("x", "x", PeriodUnit.SAME_DAY, 1, "signing", "App. 1")


def test_R_3_3_registration_1_working_day_skips_eid_nowruz_and_observed_monday() -> None:
    # Thu 19 Mar -> Fri 20 Eid al-Fitr, Sat 21 Nowruz, Sun 22, Mon 23 Nowruz observed.
    assert due("registration", date(2026, 3, 19)) == date(2026, 3, 24)


def test_R_3_3_dispatch_1_working_day_lands_on_the_decree_working_saturday() -> None:
    assert due("dispatch", date(2026, 12, 11)) == date(2026, 12, 12)


def test_R_3_1_answer_15_days_rolls_past_nowruz() -> None:
    # Fri 6 Mar + 15 = Sat 21 Nowruz; Sun 22; Mon 23 Nowruz observed.
    assert due("answer", date(2026, 3, 6)) == date(2026, 3, 24)


def test_R_3_1_answer_15_days_on_a_working_day_is_not_moved() -> None:
    assert due("answer", date(2026, 4, 1)) == date(2026, 4, 16)


def test_R_3_1_answer_extended_study_one_month_from_jan_31_ends_feb_28_then_monday() -> None:
    # Sat 28 Feb 2026 is not a working day.
    assert due("answer_extended_study", date(2026, 1, 31)) == date(2026, 3, 2)


def test_R_3_1_answer_extended_study_one_month_rolls_past_eid_al_adha_days_off() -> None:
    # 27 Apr + 1 month = Wed 27 May Eid al-Adha; 28-29 decree; 30-31 weekend.
    assert due("answer_extended_study", date(2026, 4, 27)) == date(2026, 6, 1)


def test_R_3_1_proposal_answer_one_month_rolls_past_aug_31_and_independence_day() -> None:
    assert due("proposal_answer", date(2026, 7, 31)) == date(2026, 9, 2)


def test_R_3_1_proposal_study_notice_10_days_rolls_past_new_year_into_2027() -> None:
    # Mon 21 Dec + 10 = Thu 31 Dec (substituted day off); Fri 1 Jan; weekend.
    assert due("proposal_study_notice", date(2026, 12, 21)) == date(2027, 1, 4)


def test_R_3_1_forward_5_days_rolls_past_eid_al_adha_days_off() -> None:
    assert due("forward", date(2026, 5, 22)) == date(2026, 6, 1)


def test_R_3_1_return_5_days_rolls_past_constitution_day() -> None:
    assert due("return", date(2026, 12, 3)) == date(2026, 12, 9)


def test_R_3_1_withdrawal_answer_3_days_ends_on_the_decree_working_saturday() -> None:
    assert due("withdrawal_answer", date(2026, 12, 9)) == date(2026, 12, 12)


def test_R_3_1_clarification_10_days_rolls_past_teachers_day() -> None:
    assert due("clarification", date(2026, 9, 21)) == date(2026, 10, 2)


def test_R_3_3_send_response_same_day_on_a_working_day() -> None:
    assert due("send_response", date(2026, 12, 30)) == date(2026, 12, 30)
    assert due("send_response", date(2026, 12, 12)) == date(2026, 12, 12)


def test_R_3_3_send_response_signed_on_a_day_off_is_due_the_next_working_day() -> None:
    assert due("send_response", date(2026, 12, 31)) == date(2027, 1, 4)
    assert due("send_response", date(2026, 3, 8)) == date(2026, 3, 10)


# --- months ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2026, 1, 30), 1, date(2026, 2, 28)),
        (date(2026, 3, 31), 1, date(2026, 4, 30)),
        (date(2026, 12, 31), 1, date(2027, 1, 31)),
        (date(2026, 2, 28), 1, date(2026, 3, 28)),
        (date(2028, 2, 29), 12, date(2029, 2, 28)),
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
        (date(2026, 5, 15), 0, date(2026, 5, 15)),
    ],
)
def test_R_3_1_one_month_ends_on_the_same_day_or_the_months_last_day(
    day: date, months: int, expected: date
) -> None:
    assert add_months(day, months) == expected


# --- overrides and the weekend policy ------------------------------------------------------


def test_R_3_override_working_day_beats_a_package_holiday() -> None:
    # The department moves Eid al-Fitr (a lunar date the package may only estimate).
    moved_eid = WorkCalendar(overrides={date(2026, 3, 20): True, date(2026, 3, 24): False})
    assert moved_eid.is_working_day(date(2026, 3, 20))
    assert due("registration", date(2026, 3, 19), moved_eid) == date(2026, 3, 20)
    assert due("answer", date(2026, 3, 6), moved_eid) == date(2026, 3, 25)


def test_R_3_override_day_off_beats_an_ordinary_working_day() -> None:
    extra_day_off = WorkCalendar(overrides={date(2026, 4, 16): False})
    assert due("answer", date(2026, 4, 1), extra_day_off) == date(2026, 4, 17)


def test_R_3_override_day_off_beats_the_package_working_saturday() -> None:
    cancelled = WorkCalendar(overrides={date(2026, 12, 12): False})
    assert due("withdrawal_answer", date(2026, 12, 9), cancelled) == date(2026, 12, 14)


def test_R_3_override_working_day_beats_the_weekend() -> None:
    working_sunday = WorkCalendar(overrides={date(2026, 3, 22): True})
    assert due("answer", date(2026, 3, 6), working_sunday) == date(2026, 3, 22)


def test_R_3_overrides_are_copied_so_later_mutation_changes_nothing() -> None:
    overrides = {date(2026, 4, 16): False}
    calendar = WorkCalendar(overrides=overrides)
    overrides[date(2026, 4, 16)] = True
    assert not calendar.is_working_day(date(2026, 4, 16))


def test_R_3_six_day_week_makes_saturday_a_working_day() -> None:
    # Sat 18 Apr: a day off in the five-day week, a working day in the six-day week.
    assert due("answer", date(2026, 4, 3)) == date(2026, 4, 20)
    assert due("answer", date(2026, 4, 3), SIX_DAY) == date(2026, 4, 18)
    assert due("registration", date(2026, 4, 17), SIX_DAY) == date(2026, 4, 18)
    assert SIX_DAY.non_working_reason(date(2026, 4, 19)) == "weekend"


def test_R_3_six_day_week_still_keeps_the_package_holidays() -> None:
    assert not SIX_DAY.is_working_day(date(2026, 3, 21))
    assert due("return", date(2026, 12, 3), SIX_DAY) == date(2026, 12, 9)


# --- the start date ----------------------------------------------------------------------


def test_R_3_2_electronic_at_17_59_tashkent_starts_the_same_day() -> None:
    assert received(2026, 4, 15, 17, 59) == date(2026, 4, 15)


def test_R_3_2_electronic_at_18_00_00_tashkent_is_within_hours_and_starts_the_same_day() -> None:
    # Amended: "later than 18:00:00" moves an e-appeal; 18:00:00 itself is within hours.
    assert received(2026, 4, 15, 18, 0) == date(2026, 4, 15)
    assert received(2026, 4, 15, 18, 1) == date(2026, 4, 16)


def test_R_3_2_the_end_of_hours_at_microsecond_precision() -> None:
    def start(hour: int, minute: int, second: int, micro: int) -> date:
        at = datetime(2026, 4, 15, hour, minute, second, micro, tzinfo=TASHKENT)
        return start_date(at, electronic=True, calendar=FIVE_DAY, tz=TASHKENT, work_end=WORK_END)

    # Wednesday 2026-04-15, a working day.
    assert start(18, 0, 0, 0) == date(2026, 4, 15)
    assert start(18, 0, 0, 1) == date(2026, 4, 16)
    # Before opening on a working day: that day (§35 moves only what comes after the end).
    assert start(8, 59, 59, 999_999) == date(2026, 4, 15)
    assert start(9, 0, 0, 0) == date(2026, 4, 15)


def test_R_3_2_electronic_on_friday_evening_starts_on_monday() -> None:
    assert received(2026, 4, 17, 19, 30) == date(2026, 4, 20)


def test_R_3_2_electronic_on_a_holiday_starts_the_next_working_day() -> None:
    assert received(2026, 3, 20, 10, 0) == date(2026, 3, 24)
    assert received(2026, 12, 31, 9, 0) == date(2027, 1, 4)


def test_R_3_2_electronic_on_a_saturday_starts_on_monday() -> None:
    assert received(2026, 4, 18, 11, 0) == date(2026, 4, 20)


def test_R_3_2_electronic_on_the_decree_working_saturday_starts_that_day() -> None:
    assert received(2026, 12, 12, 10, 0) == date(2026, 12, 12)


def test_R_3_2_electronic_before_opening_on_a_working_day_starts_that_day() -> None:
    assert received(2026, 4, 15, 7, 0) == date(2026, 4, 15)
    assert received(2026, 4, 15, 0, 0) == date(2026, 4, 15)


def test_R_3_2_non_electronic_on_saturday_keeps_its_date() -> None:
    assert received(2026, 4, 18, 11, 0, electronic=False) == date(2026, 4, 18)


def test_R_3_2_non_electronic_after_hours_and_on_a_holiday_keeps_its_date() -> None:
    assert received(2026, 4, 15, 19, 0, electronic=False) == date(2026, 4, 15)
    assert received(2026, 3, 21, 12, 0, electronic=False) == date(2026, 3, 21)


def test_R_3_2_utc_input_is_converted_to_tashkent() -> None:
    def start(at: datetime) -> date:
        return start_date(at, electronic=True, calendar=FIVE_DAY, tz=TASHKENT, work_end=WORK_END)

    # Tashkent is UTC+5: 13:00 UTC is 18:00 local (within hours), 13:01 UTC is 18:01 local.
    assert start(datetime(2026, 4, 15, 12, 59, tzinfo=UTC)) == date(2026, 4, 15)
    assert start(datetime(2026, 4, 15, 13, 0, tzinfo=UTC)) == date(2026, 4, 15)
    assert start(datetime(2026, 4, 15, 13, 1, tzinfo=UTC)) == date(2026, 4, 16)
    # 20:00 UTC on the 14th is already 01:00 on the 15th in Tashkent.
    assert start(datetime(2026, 4, 14, 20, 0, tzinfo=UTC)) == date(2026, 4, 15)


def test_R_3_2_naive_received_at_is_rejected() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        start_date(
            datetime(2026, 4, 15, 10, 0),
            electronic=True,
            calendar=FIVE_DAY,
            tz=TASHKENT,
            work_end=WORK_END,
        )


# --- guards against absurd input ----------------------------------------------------------------


def test_R_3_1_negative_or_absurd_working_day_counts_are_rejected() -> None:
    with pytest.raises(ValueError, match=">= 0"):
        FIVE_DAY.add_working_days(date(2026, 4, 15), -1)
    with pytest.raises(ValueError, match="<="):
        FIVE_DAY.add_working_days(date(2026, 4, 15), MAX_WORKING_DAYS_TO_ADD + 1)


def test_R_3_a_calendar_without_working_days_fails_instead_of_looping() -> None:
    start = date(2026, 1, 1)
    all_off = WorkCalendar(overrides={start + timedelta(days=i): False for i in range(500)})
    with pytest.raises(ValueError, match="no working day"):
        all_off.next_working_day(start)
    with pytest.raises(ValueError, match="whole week"):
        WorkCalendar(weekend=frozenset(range(1, 8)))
    with pytest.raises(ValueError, match=r"1\.\.7"):
        WorkCalendar(weekend=frozenset({0}))


def test_R_3_datetimes_are_refused_where_a_date_is_expected() -> None:
    with pytest.raises(TypeError, match="datetime"):
        FIVE_DAY.is_working_day(datetime(2026, 4, 15, tzinfo=UTC))
    with pytest.raises(TypeError, match="datetime"):
        WorkCalendar(overrides={datetime(2026, 4, 15, tzinfo=UTC): False})


def test_R_3_the_end_of_the_calendar_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="outside the calendar"):
        FIVE_DAY.next_working_day(date.max)
    with pytest.raises(ValueError, match="outside the calendar"):
        add_months(date(9999, 12, 1), 1)


# --- properties ---------------------------------------------------------------------------------

MIN_DAY = date(2020, 1, 1)
MAX_DAY = date(2035, 12, 31)

days = st.dates(min_value=MIN_DAY, max_value=MAX_DAY)
rules = st.sampled_from(list(RULES.values()))
weekends = st.sampled_from([FIVE_DAY_WEEK, SIX_DAY_WEEK])


def overrides_near(anchor: date) -> st.SearchStrategy[Mapping[date, bool]]:
    # Overrides placed around the dates under test, where they can actually change a deadline.
    offsets = st.dictionaries(st.integers(-10, 60), st.booleans(), max_size=12)
    return offsets.map(lambda found: {anchor + timedelta(days=k): v for k, v in found.items()})


@st.composite
def calendars_and_day(draw: st.DrawFn) -> tuple[WorkCalendar, date]:
    day = draw(days)
    return WorkCalendar(weekend=draw(weekends), overrides=draw(overrides_near(day))), day


@PROPERTY_SETTINGS
@given(calendars_and_day(), rules)
def test_R_3_1_due_date_is_always_a_working_day(
    calendar_day: tuple[WorkCalendar, date], rule: DeadlineRule
) -> None:
    calendar, start = calendar_day
    assert calendar.is_working_day(compute_due(rule, start, calendar))


@PROPERTY_SETTINGS
@given(calendars_and_day(), rules)
def test_R_3_1_due_date_is_never_before_the_start_and_after_it_unless_same_day(
    calendar_day: tuple[WorkCalendar, date], rule: DeadlineRule
) -> None:
    calendar, start = calendar_day
    result = compute_due(rule, start, calendar)
    if rule.unit is PeriodUnit.SAME_DAY:
        assert result >= start
    else:
        assert result > start


@PROPERTY_SETTINGS
@given(calendars_and_day(), rules, st.integers(0, 40), st.integers(0, 40))
def test_R_3_6_due_date_is_monotone_in_the_start_date(
    calendar_day: tuple[WorkCalendar, date], rule: DeadlineRule, shift1: int, shift2: int
) -> None:
    calendar, anchor = calendar_day
    start1, start2 = sorted([anchor + timedelta(days=shift1), anchor + timedelta(days=shift2)])
    assert compute_due(rule, start1, calendar) <= compute_due(rule, start2, calendar)


@PROPERTY_SETTINGS
@given(calendars_and_day(), st.integers(1, 40))
def test_R_3_1_add_working_days_has_exactly_n_working_days_after_start(
    calendar_day: tuple[WorkCalendar, date], n: int
) -> None:
    calendar, start = calendar_day
    result = calendar.add_working_days(start, n)
    assert calendar.is_working_day(result)
    assert len(calendar.working_days(start + timedelta(days=1), result)) == n


@PROPERTY_SETTINGS
@given(calendars_and_day())
def test_R_3_1_add_zero_working_days_is_roll_forward(
    calendar_day: tuple[WorkCalendar, date],
) -> None:
    calendar, start = calendar_day
    assert calendar.add_working_days(start, 0) == calendar.roll_forward(start)


@PROPERTY_SETTINGS
@given(calendars_and_day(), rules, st.integers(0, 60))
def test_R_3_an_extra_day_off_never_makes_a_deadline_earlier(
    calendar_day: tuple[WorkCalendar, date], rule: DeadlineRule, offset: int
) -> None:
    calendar, start = calendar_day
    day_off = start + timedelta(days=offset)
    stricter = WorkCalendar(
        weekend=calendar.weekend, overrides={**calendar.overrides, day_off: False}
    )
    assert compute_due(rule, start, stricter) >= compute_due(rule, start, calendar)


@PROPERTY_SETTINGS
@given(
    calendars_and_day(),
    st.datetimes(
        min_value=datetime(2020, 1, 1),
        max_value=datetime(2035, 12, 1),
        timezones=st.sampled_from([UTC, TASHKENT, ZoneInfo("America/New_York")]),
    ),
    st.booleans(),
)
def test_R_3_2_start_date_is_the_tashkent_date_or_the_next_working_day_for_e_appeals(
    calendar_day: tuple[WorkCalendar, date], at: datetime, electronic: bool
) -> None:
    calendar, _ = calendar_day
    local = at.astimezone(TASHKENT)
    result = start_date(
        at, electronic=electronic, calendar=calendar, tz=TASHKENT, work_end=WORK_END
    )
    on_time = calendar.is_working_day(local.date()) and local.time() <= WORK_END
    if not electronic or on_time:
        assert result == local.date()
    else:
        assert result > local.date()
        assert calendar.is_working_day(result)
        assert calendar.working_days(local.date() + timedelta(days=1), result) == [result]


def test_R_3_6_equal_calendars_are_equal_and_hash_alike() -> None:
    first = WorkCalendar(overrides={date(2026, 4, 16): False})
    second = WorkCalendar(overrides={date(2026, 4, 16): False})
    assert first == second
    assert hash(first) == hash(second)
    assert first != WorkCalendar()
