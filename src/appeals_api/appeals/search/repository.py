"""All SQL of search: the query of the words asked for, the match, its rank and snippet.

Every word is matched in either of its forms: its Russian lexemes (word forms) or its folded
spelling (`search_fold`, migration 0014: the two scripts of Uzbek and the apostrophe letters
meet). Words are ANDed; a Russian stop word is left out.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Select,
    and_,
    case,
    cast,
    false,
    func,
    literal,
    literal_column,
    or_,
    select,
    true,
    tuple_,
)
from sqlalchemy import text as sql_text
from sqlalchemy.dialects.postgresql import DOUBLE_PRECISION, TSQUERY
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from appeals_api.appeals.models import Appeal
from appeals_api.appeals.search.models import AppealSearch, SearchFeedCursor
from appeals_api.events import service as events_service

# A name matches despite a typo when this share of the searched words' trigrams is among its
# own (`search_gram_share`, migration 0014), for words of at least NAME_MIN_LETTERS letters.
NAME_SHARE = 0.6
NAME_MIN_LETTERS = 4
_RUSSIAN: Any = literal_column("'russian'::regconfig")
_SIMPLE: Any = literal_column("'simple'::regconfig")
_SNIPPET = "MaxFragments=1, MaxWords=24, MinWords=8, StartSel=«, StopSel=»"


@dataclass(frozen=True)
class Search:
    """The words searched for, and whether the reader sees every appeal's personal data."""

    words: tuple[str, ...]
    all_personal: bool


# After which hit a page of ranked results goes on: (rank, year, seq).
RankedAfter = tuple[float, int, int]


def _word_query(word: str) -> Any:
    russian = func.phraseto_tsquery(_RUSSIAN, word)
    folded = func.phraseto_tsquery(_SIMPLE, func.search_fold(word))
    return case(
        (func.numnode(russian) == 0, cast(literal(""), TSQUERY)),
        else_=russian.op("||")(folded),
    )


def _query(words: tuple[str, ...]) -> Any:
    query = _word_query(words[0])
    for word in words[1:]:
        query = query.op("&&")(_word_query(word))
    return query


def ranked(
    stmt: Select[Any], search: Search, *, after: RankedAfter | None, limit: int | None
) -> Select[Any]:
    """`stmt` (appeals, filtered) narrowed to the matches, best first, with rank and snippet.

    The personal part is matched only where the reader sees personal data (R-8.2): for the
    others a confidential appeal's applicants neither match nor add to its rank (no oracle).
    """
    query = _query(search.words)
    s = AppealSearch
    grams = func.search_grams(func.search_fold(" ".join(search.words)))
    share = func.search_gram_share(grams, s.name_grams)
    personal = true() if search.all_personal else ~Appeal.confidential
    rank = cast(
        func.ts_rank(s.public_doc, query)
        + case((personal, func.ts_rank(s.personal_doc, query) + share), else_=0),
        DOUBLE_PRECISION,
    )
    by_name = (
        and_(s.name_grams.op("&&")(grams), share >= NAME_SHARE)
        if sum(len(w) for w in search.words) >= NAME_MIN_LETTERS
        else false()
    )
    matched = or_(
        s.public_doc.op("@@")(query),
        and_(personal, or_(s.personal_doc.op("@@")(query), by_name)),
    )
    # The snippet is cut from the text and summary only: never from personal data.
    snippet = func.ts_headline(
        _RUSSIAN, func.concat_ws(" … ", Appeal.summary, Appeal.text), query, _SNIPPET
    )
    stmt = stmt.join(s, s.appeal_id == Appeal.id).where(matched)
    if after is not None:
        at, year, seq = after
        stmt = stmt.where(
            or_(rank < at, and_(rank == at, tuple_(Appeal.year, Appeal.seq) < tuple_(year, seq)))
        )
    return (
        stmt.add_columns(rank.label("rank"), snippet.label("snippet"))
        .order_by(rank.desc(), Appeal.year.desc(), Appeal.seq.desc())
        .limit(limit)
    )


_REFRESH = sql_text(
    "SELECT count(appeal_search_refresh(id)) FROM unnest(CAST(:ids AS uuid[])) AS id"
)
# The seeder's bulk build: the same documents (`appeal_search_docs`, `appeal_person_keys`), for
# rows no one else writes yet, in one statement instead of a function call per appeal.
_BUILD = sql_text(
    """INSERT INTO appeal_search (appeal_id, public_doc, personal_doc, name_grams, person_keys)
    SELECT a.id, d.public_doc, d.personal_doc, d.name_grams, appeal_person_keys(a.applicants)
    FROM appeals a, appeal_search_docs(a) AS d WHERE a.id = ANY(CAST(:ids AS uuid[]))
    ON CONFLICT (appeal_id) DO NOTHING"""
)


async def index_registered(session: AsyncSession, *, batch: int) -> int:
    """Build the rows of the appeals registered since the cursor (their `appeal.registered`
    events, up to `batch` feed positions), and move the cursor with them; how many.

    A second worker skips the locked cursor; each appeal is built under its row's lock
    (`appeal_search_refresh`), so a correction made meanwhile is never lost."""
    cursor = (
        await session.scalars(select(SearchFeedCursor).with_for_update(skip_locked=True))
    ).one_or_none()
    if cursor is None:
        return 0
    await events_service.sequence_pending(session)
    head = await events_service.head(session)
    if cursor.position >= head:
        return 0
    upto = min(head, cursor.position + batch)
    events = await events_service.sequenced(
        session, type="appeal.registered", after=cursor.position, upto=upto
    )
    ids = [e.appeal_id for e in events if e.appeal_id is not None]
    built = int(await session.scalar(_REFRESH, {"ids": ids}) or 0) if ids else 0
    cursor.position = upto
    await session.flush()
    return built


async def build(connection: AsyncConnection, ids: Sequence[uuid.UUID]) -> None:
    """The rows of appeals written without events (the seeder's COPY), at once."""
    await connection.execute(_BUILD, {"ids": list(ids)})
