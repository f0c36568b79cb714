"""All SQL of the audit: the chains recomputed in one set-based scan, the heads compared, the
heads exported (R-9.5).

Each entry is checked against its own stored content and against the entry before it in its
appeal's chain (a window over the unique index on (appeal_id, position)): no recursion, so a
million entries take one pass. The hash is the database's `appeal_history_hash`, the function
the journal writes with (migration 0009).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, text
from sqlalchemy.ext.asyncio import AsyncSession

# Per entry, what is wrong with it, if anything, in the order a break is named: an entry out of
# order or beside another (inserted), a position skipped (removed), no link to the entry before
# (removed or rewritten), content that does not match its hash (changed, or written by hand).
_VERIFY_SQL = text(
    """
WITH h AS (
    SELECT id, appeal_id, position, prev_hash, hash,
           hash = appeal_history_hash(prev_hash, position, appeal_id, at, actor_id, actor_name,
                                      actor_role, action, changes, note) AS sound,
           lag(position) OVER w AS before_position,
           lag(hash) OVER w AS before_hash,
           lag(id) OVER w AS before_id
    FROM appeal_history
    WINDOW w AS (PARTITION BY appeal_id ORDER BY position, id)
),
judged AS (
    SELECT h.*, CASE
        WHEN position = before_position OR id < before_id THEN 'inserted'
        WHEN position <> coalesce(before_position, 0) + 1 THEN 'skipped'
        WHEN prev_hash <> coalesce(before_hash, appeal_history_genesis()) THEN 'unlinked'
        WHEN NOT sound THEN 'changed'
    END AS fault
    FROM h
),
firsts AS (
    SELECT DISTINCT ON (appeal_id) appeal_id, id, position, before_position, fault
    FROM judged WHERE fault IS NOT NULL
    ORDER BY appeal_id, position, id
),
totals AS (
    SELECT count(DISTINCT appeal_id) AS appeals, count(*) AS entries,
           (SELECT count(*) FROM firsts) AS broken, now() AS as_of
    FROM judged
)
SELECT t.appeals, t.entries, t.broken, t.as_of, f.appeal_id, f.id AS entry_id, f.position,
       f.before_position, f.fault, a.year, a.seq
FROM totals t
LEFT JOIN (SELECT * FROM firsts ORDER BY appeal_id LIMIT :limit) f ON true
LEFT JOIN appeals a ON a.id = f.appeal_id
ORDER BY a.year, a.seq, f.appeal_id
"""
)

# Exported heads whose entry is no longer there, or is another one now.
_HEADS_CHECK_SQL = text(
    """
SELECT x.appeal_id, x.position, x.as_of, e.id AS entry_id, a.year, a.seq,
       (SELECT max(position) FROM appeal_history l WHERE l.appeal_id = x.appeal_id) AS last
FROM unnest(CAST(:ids AS uuid[]), CAST(:positions AS integer[]), CAST(:hashes AS text[]),
            CAST(:instants AS timestamptz[])) AS x(appeal_id, position, hash, as_of)
LEFT JOIN appeal_history e ON e.appeal_id = x.appeal_id AND e.position = x.position
LEFT JOIN appeals a ON a.id = x.appeal_id
WHERE e.hash IS DISTINCT FROM x.hash
ORDER BY a.year, a.seq, x.appeal_id
"""
)

# The last entry of each chain, a page of appeals at a time in the order of their ids.
_HEADS_SQL = text(
    """
SELECT DISTINCT ON (h.appeal_id) h.appeal_id, a.year, a.seq, h.position, h.hash, now() AS as_of
FROM appeal_history h LEFT JOIN appeals a ON a.id = h.appeal_id
WHERE h.appeal_id > CAST(:after AS uuid)
ORDER BY h.appeal_id, h.position DESC
LIMIT :limit
"""
)

_NIL = uuid.UUID(int=0)
Head = tuple[uuid.UUID, int, str, datetime]  # appeal, position, hash, as of


async def verify(session: AsyncSession, *, limit: int) -> Sequence[Row[Any]]:
    """One row per broken chain (at most `limit`), each with the totals; one row of totals with
    null findings when every chain holds."""
    return (await session.execute(_VERIFY_SQL, {"limit": limit})).all()


async def check_heads(session: AsyncSession, heads: Sequence[Head]) -> Sequence[Row[Any]]:
    """The exported heads that the chains no longer end with or pass through."""
    values = {
        "ids": [h[0] for h in heads],
        "positions": [h[1] for h in heads],
        "hashes": [h[2] for h in heads],
        "instants": [h[3] for h in heads],
    }
    return (await session.execute(_HEADS_CHECK_SQL, values)).all()


async def heads(
    session: AsyncSession, *, after: uuid.UUID | None, limit: int
) -> Sequence[Row[Any]]:
    """The chains' last entries, for appeals after `after`: appeal_id, year, seq, position,
    hash, as_of."""
    return (await session.execute(_HEADS_SQL, {"after": after or _NIL, "limit": limit})).all()


async def now(session: AsyncSession) -> datetime:
    """The instant of this transaction's reads."""
    return (await session.execute(text("SELECT now()"))).scalar_one()  # type: ignore[no-any-return]


async def snapshot(session: AsyncSession) -> None:
    """The transaction's first statement: it reads one snapshot and writes nothing."""
    await session.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY"))
