"""Which appeals are likely duplicates or repeats of one another (R-2.3, §29, §50): the rule.

Two appeals are suggested when they come from the same applicant and speak of the same matter:
- the same applicant: a shared phone or e-mail (less sure under another name: a household's
  phone); or the same name (across scripts and spellings) at the same address. A name alone is
  not enough: namesakes are common, and two of them wrote about the same dust;
- the same matter: most of the shorter text's word stems are in the other (a repeat adds to
  the earlier text, it rarely drops it).
The later one is a duplicate when it copies the earlier or came while the earlier was still
being considered within its deadline (§29); it is a repeat when it came after the earlier was
answered or its deadline had passed (§50) — unless it copies it (a copy after the answer is a
duplicate answered with a notice, R-5.2).
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg

from appeals_api.appeals.enums import Relation, Status
from appeals_api.appeals.numbering import display_number
from appeals_api.appeals.privacy import service as privacy
from appeals_api.appeals.similar.repository import Candidate, candidates
from appeals_api.appeals.similar.schemas import SimilarAppeal
from appeals_api.auth.roles import Principal
from appeals_api.config import Settings

logger = logging.getLogger(__name__)

# How sure each kind of evidence makes us that two appeals have one applicant.
_CONTACT = 1.0  # a shared phone or e-mail
_CONTACT_OTHER_NAME = 0.7  # … under another name (a household's phone)
_NAME_AND_ADDRESS = 0.9
# The same matter: the share of the shorter text's stems found in the other, at least
# `_MIN_SHARED` of them.
SAME_MATTER = 0.5
_MIN_SHARED = 2
# A copy: the two texts' stems mostly the same (Dice coefficient).
COPY = 0.8
MAX_SUGGESTIONS = 10
_REASONS = {"p": "phone", "e": "email", "n": "name", "a": "address"}  # `na`: both


@dataclass(frozen=True)
class Subject:
    """The appeal the others are compared with."""

    id: uuid.UUID
    applicants: list[dict[str, Any]]
    text: str
    received_at: datetime
    # Its answer and deadline, for a later appeal compared with it (on demand).
    completed_on: date | None = None
    due_date: date | None = None


def identity(subject_keys: list[str], keys: list[str]) -> tuple[float, set[str]]:
    """How sure we are that the applicant is the same, and the kinds of keys shared."""
    mine, theirs = _by_kind(subject_keys), _by_kind(keys)
    shared = {kind for kind in mine if mine[kind] & theirs.get(kind, set())}

    def differs(kind: str) -> bool:
        return bool(mine.get(kind)) and bool(theirs.get(kind)) and kind not in shared

    if shared & {"p", "e"}:
        return (_CONTACT_OTHER_NAME if differs("n") else _CONTACT), shared
    if "na" in shared:
        return _NAME_AND_ADDRESS, shared
    return 0.0, shared


def may_be_one_applicant(a_keys: list[str], b_keys: list[str]) -> bool:
    """Whether a registrar may call one appeal a copy of the other (§29): not when both name
    their applicants and share no name, phone or e-mail (an address alone is a household's)."""
    a, b = ({k for k in keys if k.split(":", 1)[0] in ("p", "e", "n")} for keys in (a_keys, b_keys))
    return not a or not b or bool(a & b)


def _by_kind(keys: list[str]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for key in keys:
        out.setdefault(key.split(":", 1)[0], set()).add(key)
    return out


def judge(
    subject: Subject, c: Candidate, *, tz: ZoneInfo
) -> tuple[float, Relation, list[str]] | None:
    """Score, relation and reasons when `c` is likely the same applicant's same matter."""
    sure, shared = identity(c.subject_keys, c.keys)
    shorter = min(c.subject_stems, c.stems)
    contained = c.shared_stems / shorter if shorter else 0.0
    if sure == 0.0 or c.shared_stems < _MIN_SHARED or contained < SAME_MATTER:
        return None
    dice = 2 * c.shared_stems / (c.subject_stems + c.stems)
    later_on = max(subject.received_at, c.received_at).astimezone(tz).date()
    if c.received_at <= subject.received_at:
        relation = _relation(dice, c.completed_on, c.due_date, later_on)
    else:  # the subject is the earlier one: was it answered, or overdue, when `c` came?
        relation = _relation(dice, subject.completed_on, subject.due_date, later_on)
    reasons = [*sorted(_REASONS[k] for k in shared if k in _REASONS), "text"]
    return round((sure + contained) / 2, 2), relation, reasons


def _relation(
    dice: float, completed_on: date | None, due_date: date | None, later_on: date
) -> Relation:
    if dice >= COPY:
        return Relation.DUPLICATE
    answered = completed_on is not None and completed_on <= later_on
    late = due_date is not None and due_date < later_on and not answered
    return Relation.REPEAT if answered or late else Relation.DUPLICATE


async def suggestions(
    pool: asyncpg.Pool,
    settings: Settings,
    subject: Subject,
    *,
    earlier_only: bool,
    wait_seconds: float | None = None,
) -> list[SimilarAppeal]:
    """The subject's likely duplicates and repeats, best first."""
    window = timedelta(days=settings.similar_window_days)
    found = await candidates(
        pool,
        applicants=subject.applicants,
        text=subject.text,
        exclude=subject.id,
        since=subject.received_at - window,
        until=subject.received_at if earlier_only else subject.received_at + window,
        wait_seconds=wait_seconds,
    )
    tz = ZoneInfo(settings.timezone)
    judged = [(c, j) for c in found if (j := judge(subject, c, tz=tz)) is not None]
    judged.sort(key=lambda cj: (-cj[1][0], -cj[0].received_at.timestamp()))
    return [
        SimilarAppeal(
            id=c.id,
            number=display_number(c.year, c.seq),
            received_at=c.received_at.astimezone(tz),
            status=Status(c.status),
            relation=relation,
            direction="earlier" if c.received_at <= subject.received_at else "later",
            score=score,
            reasons=reasons,
        )
        for c, (score, relation, reasons) in judged[:MAX_SUGGESTIONS]
    ]


async def at_intake(
    pool: asyncpg.Pool, settings: Settings, principal: Principal, body: dict[str, Any]
) -> list[dict[str, Any]] | None:
    """The `similar` of intake's answer: for a caller who may see applicants (R-8.2: to
    others, which appeals a phone or a name matches would say whose they are); None for the
    others, and when the lookup did not answer in time or failed: the appeal is committed by
    then, and its 201 goes out either way."""
    if not privacy.sees_all_personal_data(principal):
        return None
    subject = Subject(
        id=uuid.UUID(str(body["id"])),
        applicants=list(body.get("applicants") or []),
        text=" ".join(str(body.get(f) or "") for f in ("summary", "text")),
        received_at=_instant(body["received_at"]),
    )
    try:
        found = await suggestions(
            pool,
            settings,
            subject,
            earlier_only=True,
            wait_seconds=settings.similar_timeout_seconds,
        )
    except TimeoutError:
        logger.warning("similar appeals not found in time")
        return None
    except Exception:  # the appeal is committed: its 201 must not become a 500
        logger.exception("similar appeals not found")
        return None
    return [s.model_dump(mode="json") for s in found]


def _instant(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
