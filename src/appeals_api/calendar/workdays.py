"""The Uzbek working-day calendar (DOMAIN.md R-3): pure functions of a date, no I/O, no clock."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from types import MappingProxyType

import holidays

FIVE_DAY_WEEK: frozenset[int] = frozenset({6, 7})
SIX_DAY_WEEK: frozenset[int] = frozenset({7})

# Longest stretch of days off we accept before declaring the calendar broken. The real record is
# about ten days (New Year, Nowruz plus decrees); 400 only trips on a calendar with no working days.
MAX_DAYS_WITHOUT_WORKING_DAY = 400
# Upper bounds for counting loops, so an absurd argument fails fast instead of hanging a request.
MAX_WORKING_DAYS_TO_ADD = 3_000
MAX_SPAN_DAYS = 3_700

_ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class _YearData:
    days_off: Mapping[date, str]
    weekend_workdays: frozenset[date]


@functools.lru_cache(maxsize=256)
def _year_data(year: int) -> _YearData:
    # Copied out of the HolidayBase object: it is a mutable dict that grows itself on lookups
    # (expand=True), which a cache shared by concurrent requests must not be.
    # The language is pinned because the package's default depends on the process locale.
    uz = holidays.country_holidays("UZ", years=year, language="en_US", expand=False)
    days_off: dict[date, str] = {day: str(name) for day, name in uz.items()}
    weekend_workdays: frozenset[date] = frozenset(uz.weekend_workdays)
    return _YearData(days_off=MappingProxyType(days_off), weekend_workdays=weekend_workdays)


def _empty_overrides() -> Mapping[date, bool]:
    return MappingProxyType({})


def _check_date(day: date) -> None:
    # A datetime is a date subclass but never equals a date key, so it would silently miss every
    # holiday and override; converting it is start_date's job (it knows the time zone).
    if isinstance(day, datetime):
        raise TypeError(f"expected a date, got a datetime: {day!r}")


def _step(day: date, days: int) -> date:
    try:
        return day + timedelta(days=days)
    except OverflowError:
        raise ValueError(f"{day.isoformat()} {days:+d} days is outside the calendar") from None


@dataclass(frozen=True)
class WorkCalendar:
    """Working days: the package's UZ calendar, a weekend policy and decree overrides (R-3)."""

    weekend: frozenset[int] = FIVE_DAY_WEEK
    overrides: Mapping[date, bool] = field(default_factory=_empty_overrides)

    def __post_init__(self) -> None:
        weekend = frozenset(self.weekend)
        if not weekend <= frozenset(range(1, 8)):
            raise ValueError(f"weekend must hold ISO weekday numbers 1..7, got {sorted(weekend)}")
        if len(weekend) == 7:
            raise ValueError("weekend cannot be the whole week")
        for day in self.overrides:
            _check_date(day)
        # Own copies, so a caller mutating its dict later cannot change deadlines already computed.
        object.__setattr__(self, "weekend", weekend)
        object.__setattr__(self, "overrides", MappingProxyType(dict(self.overrides)))

    def __hash__(self) -> int:
        # Explicit because a mappingproxy is unhashable; callers may key caches on a calendar.
        return hash((self.weekend, frozenset(self.overrides.items())))

    def is_working_day(self, day: date) -> bool:
        """R-3: overrides win, then public holidays, then decree working Saturdays, then weekend."""
        _check_date(day)
        override = self.overrides.get(day)
        if override is not None:
            return override
        data = _year_data(day.year)
        if day in data.days_off:
            return False
        if day in data.weekend_workdays:
            return True
        return day.isoweekday() not in self.weekend

    def non_working_reason(self, day: date) -> str | None:
        """R-3: why `day` is a day off ("override", the holiday's name, "weekend"), else None."""
        _check_date(day)
        override = self.overrides.get(day)
        if override is not None:
            return None if override else "override"
        data = _year_data(day.year)
        name = data.days_off.get(day)
        if name is not None:
            return name
        if day in data.weekend_workdays or day.isoweekday() not in self.weekend:
            return None
        return "weekend"

    def next_working_day(self, day: date) -> date:
        """R-3.1: the first working day strictly after `day`."""
        _check_date(day)
        candidate = day
        for _ in range(MAX_DAYS_WITHOUT_WORKING_DAY):
            candidate = _step(candidate, 1)
            if self.is_working_day(candidate):
                return candidate
        raise ValueError(
            f"no working day within {MAX_DAYS_WITHOUT_WORKING_DAY} days after {day.isoformat()}"
        )

    def roll_forward(self, day: date) -> date:
        """R-3.1 (§35): `day` if it is a working day, else the next working day."""
        return day if self.is_working_day(day) else self.next_working_day(day)

    def add_working_days(self, start: date, n: int) -> date:
        """R-3.1: the n-th working day after `start`; n=0 gives roll_forward(start)."""
        if n < 0:
            raise ValueError(f"n must be >= 0, got {n}")
        if n > MAX_WORKING_DAYS_TO_ADD:
            raise ValueError(f"n must be <= {MAX_WORKING_DAYS_TO_ADD}, got {n}")
        if n == 0:
            return self.roll_forward(start)
        day = start
        for _ in range(n):
            day = self.next_working_day(day)
        return day

    def working_days(self, start: date, end: date) -> list[date]:
        """R-3: the working days in [start, end], in order (empty if end < start)."""
        _check_date(start)
        _check_date(end)
        span = (end - start).days
        if span > MAX_SPAN_DAYS:
            raise ValueError(f"range longer than {MAX_SPAN_DAYS} days: {start} .. {end}")
        days = (_step(start, offset) for offset in range(span + 1))
        return [day for day in days if self.is_working_day(day)]
