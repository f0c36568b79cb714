"""Types shared by the schemas: bounded inputs (no NUL bytes or control characters), dates
written out (ISO 8601, never a number), and `Instant`, the one way an answer prints a moment."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Annotated

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BeforeValidator,
    PlainSerializer,
    StringConstraints,
)

from appeals_api.config import get_settings

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _no_control_chars(value: str) -> str:
    if _CONTROL.search(value):
        raise ValueError("control characters are not allowed")
    return value


def _single_line(value: str) -> str:
    if "\n" in value or "\r" in value or "\t" in value:
        raise ValueError("line breaks are not allowed here")
    return _no_control_chars(value)


Line = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=500), AfterValidator(_single_line)
]
ShortLine = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=200), AfterValidator(_single_line)
]
RequiredLine = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=500),
    AfterValidator(_single_line),
]
Paragraph = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=5000),
    AfterValidator(_no_control_chars),
]
LongText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=100_000),
    AfterValidator(_no_control_chars),
]
# BCP 47 language tag, e.g. uz, uz-Cyrl, ru, en, kaa.
LanguageTag = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8}){0,4}$", max_length=35),
]


def _in_civil_time(value: datetime) -> datetime:
    # API.md: every instant in an answer reads in the service's civil time (Tashkent, +05:00),
    # so an appeal, its history, its events and a webhook's body agree. A naive value can only
    # be a UTC column read without its zone.
    aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    return aware.astimezone(get_settings().tz)


# A moment in an answer (a `*_at` field): stored in UTC, printed with the Tashkent offset.
Instant = Annotated[
    datetime, PlainSerializer(_in_civil_time, return_type=datetime, when_used="json")
]


_NUMBER = re.compile(r"[+-]?\d+(\.\d*)?")


def _written_out(value: object) -> object:
    # Pydantic takes a number (or a string of digits) for a date or a moment as seconds since
    # 1970: `from=0` was 1 January 1970. The document says ISO 8601 text (issue 19's fuzzing).
    if isinstance(value, int | float) or (isinstance(value, str) and _NUMBER.fullmatch(value)):
        raise ValueError("an ISO 8601 date or date-time is expected, not a number")
    return value


# A date or an aware moment as ISO 8601 text only.
IsoDate = Annotated[date, BeforeValidator(_written_out)]
IsoMoment = Annotated[AwareDatetime, BeforeValidator(_written_out)]
