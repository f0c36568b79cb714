"""The list's orders (`sort`) and its keyset cursor, which carries the order it was made for.

Each order is a key and the registration number after it, so every position is unique and a
page costs the same wherever it starts. The default order's cursor keeps the form it always
had (`year:seq`), so cursors handed out before `sort` existed still work."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from appeals_api.appeals.numbering import plausible
from appeals_api.errors import BadRequest


class Sort(StrEnum):
    """By registration number, receipt instant or due date; a leading `-` is descending."""

    NUMBER_DESC = "-number"
    NUMBER = "number"
    RECEIVED_DESC = "-received"
    RECEIVED = "received"
    DUE_DESC = "-due"
    DUE = "due"

    @property
    def key(self) -> str:
        """The ordering key: number, received or due."""
        return self.value.lstrip("-")

    @property
    def descending(self) -> bool:
        return self.value.startswith("-")


DEFAULT_SORT = Sort.NUMBER_DESC


@dataclass(frozen=True)
class Keyset:
    """Where the next page starts: the last row's key (none for `number`), year and seq."""

    key: date | datetime | None
    year: int
    seq: int


_FOREIGN = "The cursor is not one this API gave out."


def _b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _unb64(cursor: str) -> str:
    try:
        return base64.urlsafe_b64decode(cursor.encode() + b"=" * (-len(cursor) % 4)).decode()
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise BadRequest(_FOREIGN) from exc


def encode_cursor(sort: Sort, last: Any) -> str:
    """The cursor after `last` (an appeal row) in `sort` order."""
    if sort is DEFAULT_SORT:
        return _b64(f"{last.year}:{last.seq}")
    key = "" if sort.key == "number" else _key_of(sort, last).isoformat()
    return _b64(f"{sort.value}|{key}|{last.year}|{last.seq}")


def _key_of(sort: Sort, row: Any) -> date | datetime:
    key: date | datetime = row.received_at if sort.key == "received" else row.due_date
    return key


def decode_cursor(cursor: str | None, sort: Sort) -> Keyset | None:
    """The keyset a cursor holds; 400 when it was made for another `sort` than this one."""
    if cursor is None:
        return None
    raw = _unb64(cursor)
    made_for, _, rest = raw.partition("|") if "|" in raw else (DEFAULT_SORT.value, "", raw)
    if made_for != sort.value:
        raise BadRequest(
            f"The cursor was made for sort={made_for}, not sort={sort.value}: a cursor "
            "continues the order it came from; ask the first page again (API.md)."
        )
    try:
        if sort is DEFAULT_SORT:
            year, seq = (int(p) for p in rest.split(":", 1))
            keyset = Keyset(None, year, seq)
        else:
            key, year_text, seq_text = rest.split("|")
            keyset = Keyset(_parse_key(sort, key), int(year_text), int(seq_text))
    except ValueError as exc:
        raise BadRequest(_FOREIGN) from exc
    if not plausible(keyset.year, keyset.seq):
        raise BadRequest(_FOREIGN)
    return keyset


def _parse_key(sort: Sort, key: str) -> date | datetime | None:
    if sort.key == "number":
        return None
    if sort.key == "received":
        instant = datetime.fromisoformat(key)
        if instant.tzinfo is None:
            raise ValueError("a receipt instant carries its offset")
        return instant
    return date.fromisoformat(key)
