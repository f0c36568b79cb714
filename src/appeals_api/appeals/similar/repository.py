"""All SQL of suggestions: the appeals of the same applicant within a window, with what of the
applicant and the text they share (migration 0015's `appeal_person_keys` and `search_stems`, the
same functions that build the stored keys).

The applicant is looked up by the keys that say who it is: phone, e-mail, or the name at the
address (a name alone is a namesake's too, an address a household's); the most recent
candidates are compared, the text's stems only for them.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import asyncpg
from sqlalchemy import bindparam
from sqlalchemy import text as sql_text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession

# The most recent appeals of one applicant compared with a new one.
CANDIDATES = 50

_SQL = """
WITH subject AS (
    SELECT appeal_person_keys($1::jsonb) AS keys, search_stems($2) AS stems
),
found AS (
    SELECT a.id, a.year, a.seq, a.received_at, a.status, a.completed_on, a.due_date,
           a.summary, a.text, s.person_keys
    FROM subject
    JOIN appeal_search s ON s.person_keys && ARRAY(
        SELECT k FROM unnest(subject.keys) AS k WHERE k ~ '^(p|e|na):')
    JOIN appeals a ON a.id = s.appeal_id
    WHERE a.id <> $3 AND a.received_at BETWEEN $4 AND $5 AND a.joined_to IS NULL
    ORDER BY a.received_at DESC
    LIMIT $6
)
SELECT f.id, f.year, f.seq, f.received_at, f.status, f.completed_on, f.due_date,
       f.person_keys AS keys, subject.keys AS subject_keys,
       cardinality(subject.stems) AS subject_stems, cardinality(t.stems) AS stems,
       search_shared(subject.stems, t.stems) AS shared_stems
FROM subject, found AS f,
     LATERAL (SELECT search_stems(concat_ws(' ', f.summary, f.text)) AS stems) AS t
"""


@dataclass(frozen=True)
class Candidate:
    """An appeal of (perhaps) the same applicant, and what it shares with the subject."""

    id: uuid.UUID
    year: int
    seq: int
    received_at: datetime
    status: str
    completed_on: date | None
    due_date: date | None
    keys: list[str]
    subject_keys: list[str]
    subject_stems: int
    stems: int
    shared_stems: int


async def candidates(
    pool: asyncpg.Pool,
    *,
    applicants: list[dict[str, Any]],
    text: str,
    exclude: uuid.UUID,
    since: datetime,
    until: datetime,
    wait_seconds: float | None = None,
) -> list[Candidate]:
    """The subject's applicant's other appeals received in [since, until], latest first."""
    rows = await pool.fetch(
        _SQL, applicants, text, exclude, since, until, CANDIDATES, timeout=wait_seconds
    )
    return [Candidate(**dict(row)) for row in rows]


_KEYS = sql_text("SELECT appeal_person_keys(:a) AS a, appeal_person_keys(:b) AS b").bindparams(
    bindparam("a", type_=JSONB), bindparam("b", type_=JSONB)
)


async def person_keys(
    session: AsyncSession, a: list[dict[str, Any]], b: list[dict[str, Any]]
) -> tuple[list[str], list[str]]:
    """The person keys of two appeals' applicants, as the stored ones are computed."""
    row = (await session.execute(_KEYS, {"a": a, "b": b})).one()
    return list(row.a), list(row.b)
