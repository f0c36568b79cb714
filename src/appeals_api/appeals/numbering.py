"""Registration numbers (R-2.1): (year, seq) is the identity, `<seq>/<yy>` its display (policy)."""

from __future__ import annotations

import re

_DISPLAY = re.compile(r"^(\d{1,8})/(\d{2})$")


def plausible(year: int, seq: int) -> bool:
    """A number a cursor or a link may name: within the columns' ranges (a year is a smallint,
    a number an integer), so a forged one is refused, not a database error."""
    return 0 < year < 10_000 and 0 < seq < 2**31


def display_number(year: int, seq: int) -> str:
    return f"{seq}/{year % 100:02d}"


# The same display, built by PostgreSQL inside the numbering statement (events carry it).
SQL_DISPLAY_NUMBER = "(%(seq)s::text || '/' || lpad((%(year)s %% 100)::text, 2, '0'))"
