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

# The most recent appeals of one applicant compared with a new one, of at most HITS found by
# the applicant's keys (a phone shared by thousands, a switchboard's, costs no more: those are
# then HITS of them, whichever the index gives first).
CANDIDATES = 50
HITS = 500

# Each step MATERIALIZED, so the plan is the same whatever the parameters: a generic plan of
# the prepared statement (after five runs) otherwise walked the window's appeals by receipt
# (seconds at 100,000) instead of asking the keys' index first.
_SQL = """
WITH subject AS MATERIALIZED (SELECT appeal_person_keys($1::jsonb) AS keys),
-- The text's stems only when some candidate is found (most new appeals have none): read as
-- a sub-select of the output's columns, which PostgreSQL runs on the first output row.
subject_text AS MATERIALIZED (SELECT search_stems($2) AS stems),
hits AS MATERIALIZED (
    SELECT s.appeal_id, s.person_keys FROM appeal_search s
    WHERE s.person_keys && (
        SELECT ARRAY(SELECT k FROM unnest(keys) AS k WHERE k ~ '^(p|e|na):') FROM subject)
    -- No ORDER BY: ordered by number, the planner walked the numbers down looking for the
    -- keys, the whole table for a key only one appeal holds.
    LIMIT $7
),
found AS MATERIALIZED (
    SELECT a.*, h.person_keys
    FROM hits AS h, LATERAL (
        -- Each hit's appeal by its key (OFFSET 0: never a walk of the window's appeals).
        SELECT a.id, a.year, a.seq, a.received_at, a.status, a.completed_on, a.due_date,
               a.summary, a.text
        FROM appeals a
        WHERE a.id = h.appeal_id AND a.id <> $3 AND a.received_at BETWEEN $4 AND $5
          AND a.joined_to IS NULL
        OFFSET 0) AS a
    ORDER BY a.received_at DESC
    LIMIT $6
)
SELECT f.id, f.year, f.seq, f.received_at, f.status, f.completed_on, f.due_date,
       f.person_keys AS keys, subject.keys AS subject_keys,
       cardinality((SELECT stems FROM subject_text)) AS subject_stems,
       cardinality(t.stems) AS stems,
       search_shared((SELECT stems FROM subject_text), t.stems) AS shared_stems
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
        _SQL, applicants, text, exclude, since, until, CANDIDATES, HITS, timeout=wait_seconds
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
