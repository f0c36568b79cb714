"""Search as asked for: the words of `q`, and the cursor of a ranked page (issue 15)."""

from __future__ import annotations

import base64
import binascii
import math
import re

from appeals_api.appeals.numbering import plausible
from appeals_api.appeals.privacy import service as privacy
from appeals_api.appeals.search.repository import After, Search
from appeals_api.auth.roles import Principal
from appeals_api.errors import BadRequest, FieldError, Unprocessable

MAX_WORDS = 8
# A phone as people type it: digits with spaces, dashes, brackets, a leading plus.
_PHONE = re.compile(r"^\+?[\d\s()-]+$")
_MIN_PHONE_DIGITS = 7


def search_of(q: str, principal: Principal) -> Search:
    """The words of `q` (a phone as one word of its digits) for this reader."""
    text = q.strip()
    digits = re.sub(r"\D", "", text)
    if _PHONE.match(text) and len(digits) >= _MIN_PHONE_DIGITS:
        words: list[str] = [digits]
    else:
        words = text.split()
    if not words or len(words) > MAX_WORDS:
        raise Unprocessable(
            "q is empty or too long",
            [FieldError(field="q", message=f"1 to {MAX_WORDS} words", type="value_error")],
        )
    return Search(tuple(words), all_personal=privacy.sees_all_personal_data(principal))


# The cursor's tag: the order of the first page, best first ("r") or newest first ("n").
_ORDERS = {"r": False, "n": True}


def decode_cursor(cursor: str | None) -> After | None:
    """The cursor of a page of search results: its order, the last hit's rank and number."""
    if cursor is None:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor.encode() + b"=" * (-len(cursor) % 4)).decode()
        tag, rank, year, seq = raw.split(":")
        at = After(newest=_ORDERS[tag], rank=float(rank), year=int(year), seq=int(seq))
        if not (math.isfinite(at.rank) and plausible(at.year, at.seq)):
            raise ValueError(raw)
        return at
    except (KeyError, ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise BadRequest("The cursor is not one this API gave out for this search.") from exc


def encode_cursor(at: After) -> str:
    tag = "n" if at.newest else "r"
    raw = f"{tag}:{at.rank!r}:{at.year}:{at.seq}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")
