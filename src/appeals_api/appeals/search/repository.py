"""All SQL of search: the query of the words asked for, the match, its rank and snippet.

Every word is matched in either of its forms: its Russian lexemes (word forms) or its folded
spelling (`search_fold`, migration 0014: the two scripts of Uzbek and the apostrophe letters
meet). Words are ANDed; a Russian stop word is left out.
"""

from __future__ import annotations

import contextlib
import functools
import math
import operator
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import (
    REAL,
    Integer,
    Select,
    Text,
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
from sqlalchemy.dialects.postgresql import ARRAY, DOUBLE_PRECISION, TSQUERY
from sqlalchemy.exc import DBAPIError, PendingRollbackError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession
from sqlalchemy.orm import aliased

from appeals_api.appeals.models import Appeal
from appeals_api.appeals.search import grams as rare_grams
from appeals_api.appeals.search.models import AppealSearch, SearchFeedCursor
from appeals_api.events import service as events_service

# A name matches despite a typo when this share of the searched words' trigrams is among its
# own (`search_gram_share`, migration 0014), for words of at least NAME_MIN_LETTERS letters.
NAME_SHARE = 0.6
NAME_MIN_LETTERS = 4
# Up to this many matches every one is ranked, best first; more are listed newest first:
# ranking every one of tens of thousands (a common surname among a million appeals) costs
# seconds (bench/RESULTS.md, issue 15).
RANKED_AT_MOST = 200
# Whether the words match many is first asked of this many newest appeals: a quarter of
# RANKED_AT_MOST among them (one in twenty-five, a surname's share in the bench) says many.
# The walk stops there, so a common word costs ~700 rows, not the 3,000 that finding all of
# RANKED_AT_MOST there took (bench/RESULTS.md).
NEWEST_PROBED = 1_250
_RUSSIAN: Any = literal_column("'russian'::regconfig")
_SIMPLE: Any = literal_column("'simple'::regconfig")
_SNIPPET = "MaxFragments=1, MaxWords=24, MinWords=8, StartSel=«, StopSel=»"


@dataclass(frozen=True)
class Search:
    """The words searched for, and whether the reader sees every appeal's personal data.

    `resolve` adds what the database makes of the words, once per request: their tsquery,
    their trigrams, and the rarer trigrams a name with a typo must hold one of."""

    words: tuple[str, ...]
    all_personal: bool
    query: str | None = None
    grams: tuple[str, ...] = ()
    rare: tuple[str, ...] = ()
    few: bool = True  # the words match at most RANKED_AT_MOST appeals this reader may find


@dataclass(frozen=True)
class After:
    """After which hit a page of results goes on, in the order the first page was given in:
    newest first (the words matched many appeals) or best first."""

    newest: bool
    rank: float
    year: int
    seq: int


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


def _texts(values: tuple[str, ...]) -> Any:
    return cast(literal(list(values)), ARRAY(Text))


def _shared(search: Search, s: Any = AppealSearch) -> Any:
    """How many of the words' trigrams the appeal's names hold: `search_gram_share`
    (migration 0014) times their number, as one containment test per trigram (a third of the
    cost of the function's subquery on every appeal it looks at)."""
    held = [cast(s.name_grams.contains([g]), Integer) for g in search.grams]
    return functools.reduce(operator.add, held) if held else literal(0)


def _share(search: Search, shared: Any) -> Any:
    return cast(shared, REAL) / max(len(search.grams), 1)


# Each search planned for its own words, never by the generic plan of a prepared statement
# (asyncpg prepares every statement) that knows nothing of how common they are; and in this
# process alone: starting parallel workers costs more than a search takes.
_PLANNING = {"plan_cache_mode": "force_custom_plan", "max_parallel_workers_per_gather": "0"}
# A count asks the indexes for every match: bounded by a LIMIT, the planner would rather walk
# the table until it has enough, the whole of it for a word one appeal holds.
_COUNTING = {**_PLANNING, "enable_seqscan": "off", "enable_indexscan": "off"}


def _set_config(names: list[str], values: list[str], *, local: bool) -> Any:
    """One round trip: the settings' current values, and `values` set for the session (or,
    `local`, for the transaction)."""
    current = ", ".join(f"current_setting('{n}')" for n in names)
    scope = "true" if local else "false"
    new = ", ".join(f"set_config('{n}', :v{i}, {scope})" for i, n in enumerate(names))
    return sql_text(f"SELECT {current}, {new}").bindparams(
        **{f"v{i}": v for i, v in enumerate(values)}
    )


def _in_transaction(session: AsyncSession) -> bool:
    bind = session.bind
    options = bind.get_execution_options() if isinstance(bind, AsyncEngine) else {}
    return options.get("isolation_level") != "AUTOCOMMIT"


@contextlib.asynccontextmanager
async def planned_for_its_words(
    session: AsyncSession, *, counting: bool = False
) -> AsyncIterator[None]:
    """The search's planner settings (`_PLANNING`, or `_COUNTING` for a count), set and
    restored after, one round trip each. A list is read without a transaction (where SET LOCAL
    is void): the settings are the session's. In a transaction (always behind PgBouncer, where
    a session's setting would stay on a server connection other clients share, and the next
    statement may run on another) they are the transaction's, restored all the same for the
    transaction's later statements. If the request's transaction failed meanwhile, its
    rollback undoes the settings, and the restoring (refused in a failed transaction) is not
    needed."""
    settings = _COUNTING if counting else _PLANNING
    names = list(settings)
    local = _in_transaction(session)
    row = (await session.execute(_set_config(names, list(settings.values()), local=local))).one()
    try:
        yield
    finally:
        with contextlib.suppress(DBAPIError, PendingRollbackError):
            old = [str(v) for v in row[: len(names)]]
            await session.execute(_set_config(names, old, local=local))


async def resolve(session: AsyncSession, search: Search, *, probe: bool = True) -> Search:
    """`search` with its tsquery and trigrams, computed once (planning the search with them
    as expressions folded them again at every use: tens of milliseconds a query), and, if
    `probe`, whether the words match few appeals (then every match is ranked) or many (then
    they are listed newest first).

    Run it, and the search, `planned_for_its_words`.
    """
    grams = func.search_grams(func.search_fold(" ".join(search.words)))
    row = (await session.execute(select(cast(_query(search.words), Text), grams))).one()
    frequency = await rare_grams.frequencies(session)
    search = replace(
        search,
        query=row[0],
        grams=tuple(row[1]),
        rare=rare_grams.rarer(tuple(row[1]), NAME_SHARE, frequency),
    )
    if not probe:
        return search
    return replace(search, few=not await _many(session, search))


async def _many(session: AsyncSession, search: Search) -> bool:
    """Whether the words match more than RANKED_AT_MOST appeals the reader may find by them
    (R-8.2: a confidential appeal's personal data counts only for those who see it, so the
    order of a page tells no one more than its hits do).

    Asked first of the newest NEWEST_PROBED appeals: a common word (a surname, "hot water")
    matching a quarter of RANKED_AT_MOST there is known to match many at once, while its
    index entries (tens of thousands) cost the GIN index a tenth of a second to gather.
    Only "few" needs the index's word (the ranked page takes at most RANKED_AT_MOST + 1
    matches from it): the words' own entries, then the names' trigrams (the typo match, the
    slower union). The list's filters (and an executor's units) take no part, for the same
    reason: the ranked page draws its candidates from every match."""
    query = cast(literal(search.query), TSQUERY)
    personal = true() if search.all_personal else ~Appeal.confidential
    s = AppealSearch
    newest = aliased(
        AppealSearch,
        select(s.appeal_id, s.public_doc, s.personal_doc, s.name_grams)
        .order_by(s.year.desc(), s.seq.desc())
        .limit(NEWEST_PROBED)
        .subquery(),
    )

    def words(rows: Any) -> Any:
        return or_(
            rows.public_doc.op("@@")(query), and_(personal, rows.personal_doc.op("@@")(query))
        )

    # The words themselves first, among the newest then in the index (cheap either way for a
    # rare word); the typo match only then, and only for words with letters. Each probe is
    # built only if the one before did not answer (building one costs more than running it).
    probes: list[tuple[Any, Callable[[], Any]]] = [
        (newest, lambda: words(newest)),
        (s, lambda: words(s)),
    ]
    if _typos_match(search):
        probes += [
            (newest, lambda: _matched(search, query, personal, newest)),
            (s, lambda: _matched(search, query, personal)),
        ]
    for rows, matched in probes:
        some = select(rows.appeal_id).where(matched())
        if not search.all_personal:
            some = some.join(Appeal, Appeal.id == rows.appeal_id)
        many = RANKED_AT_MOST // 4 if rows is newest else RANKED_AT_MOST
        counted = select(func.count()).select_from(some.limit(many + 1).subquery())
        if int(await session.scalar(counted) or 0) > many:
            return True
    return False


def _typos_match(search: Search) -> bool:
    """Whether a name with a typo may match the words: they are long enough and have letters
    (a phone's digits are matched as typed, never as a misspelt name)."""
    letters = sum(1 for w in search.words for c in w if c.isalpha())
    return letters >= NAME_MIN_LETTERS and bool(search.rare)


def _matched(
    search: Search, query: Any, personal: Any, s: Any = AppealSearch, shared: Any = None
) -> Any:
    """The appeals the words match: in the public part, or (where the reader may see it) in
    the personal part or a name sharing NAME_SHARE of the words' trigrams. The typo match asks
    the index only for the words' rarer trigrams (`grams.rarer`), then
    computes the share on those few appeals. `s`: the search rows (an alias of them)."""
    by_name = (
        and_(
            s.name_grams.op("&&")(_texts(search.rare)),
            # NAME_SHARE of them, as the share compares it (3 of 5 is 0.6: 0.6 * 5 is not 3).
            (_shared(search, s) if shared is None else shared)
            >= math.ceil(NAME_SHARE * len(search.grams) - 1e-9),
        )
        if _typos_match(search)
        else false()
    )
    return or_(
        s.public_doc.op("@@")(query),
        and_(personal, or_(s.personal_doc.op("@@")(query), by_name)),
    )


def _rank(search: Search, query: Any, personal: Any, shared: Any) -> Any:
    s = AppealSearch
    return cast(
        func.ts_rank(s.public_doc, query)
        + case((personal, func.ts_rank(s.personal_doc, query) + _share(search, shared)), else_=0),
        DOUBLE_PRECISION,
    )


def ranked(
    stmt: Select[Any], search: Search, *, after: After | None, limit: int | None
) -> Select[Any]:
    """`stmt` (appeals, filtered) narrowed to the matches, with rank and snippet: best first
    when the words match few appeals (`few`), newest first when they match many (a common
    surname among a million appeals: ranking every match cost seconds, and a rank among tens
    of thousands says little). A later page keeps the order its cursor was given in.

    The personal part is matched only where the reader sees personal data (R-8.2): for the
    others a confidential appeal's applicants neither match nor add to its rank (no oracle).
    `limit=None` (the count) takes every match. The page's rows are chosen first, and only
    they are joined again for the snippet (cutting one costs as much as matching hundreds).
    """
    if search.query is None:
        raise ValueError("search not resolved: call resolve() first")
    query = cast(literal(search.query), TSQUERY)
    personal = true() if search.all_personal else ~Appeal.confidential
    # Built once, used up to three times (building it costs more than planning it).
    shared = _shared(search)
    matched = _matched(search, query, personal, shared=shared)
    s = AppealSearch
    if limit is None:
        return stmt.join(s, s.appeal_id == Appeal.id).where(matched)
    newest = after.newest if after is not None else not search.few
    rank = _rank(search, query, personal, shared).label("rank")
    hits = stmt.with_only_columns(Appeal.id, s.year, s.seq, rank).join(s, s.appeal_id == Appeal.id)
    if newest:  # walking the search rows from the newest number down
        order = [s.year.desc(), s.seq.desc()]
        if after is not None:
            hits = hits.where(tuple_(s.year, s.seq) < tuple_(after.year, after.seq))
    else:  # all of them, fetched by their search rows (the GIN indexes), then ranked
        every = select(s.appeal_id).where(_matched(search, query, true(), shared=shared))
        hits = hits.where(Appeal.id.in_(every.limit(RANKED_AT_MOST + 1).scalar_subquery()))
        order = [rank.desc(), s.year.desc(), s.seq.desc()]
        if after is not None:
            at = literal(after.rank, DOUBLE_PRECISION)
            position = tuple_(s.year, s.seq) < tuple_(after.year, after.seq)
            hits = hits.where(or_(rank < at, and_(rank == at, position)))
    page = hits.where(matched).order_by(*order).limit(limit).subquery()
    # The snippet is cut from the text and summary only: never from personal data.
    snippet = func.ts_headline(
        _RUSSIAN, func.concat_ws(" … ", Appeal.summary, Appeal.text), query, _SNIPPET
    )
    first = [page.c.year.desc(), page.c.seq.desc()]
    return (
        select(Appeal.__table__, page.c.rank, snippet.label("snippet"))
        .join(page, page.c.id == Appeal.id)
        .order_by(*(first if newest else [page.c.rank.desc(), *first]))
    )


_BUILD = sql_text(
    """INSERT INTO appeal_search (appeal_id, public_doc, personal_doc, name_grams, person_keys,
                               year, seq)
    SELECT a.id, d.public_doc, d.personal_doc, d.name_grams, appeal_person_keys(a.applicants),
           a.year, a.seq
    FROM appeals a, appeal_search_docs(a) AS d WHERE a.id = ANY(CAST(:ids AS uuid[]))
    ON CONFLICT (appeal_id) DO NOTHING"""
)


async def index_registered(session: AsyncSession, *, batch: int) -> int:
    """Build the rows of the appeals registered since the cursor (their `appeal.registered`
    events, up to `batch` feed positions), and move the cursor with them; how many.

    A second worker skips the locked cursor; a correction made meanwhile is never lost (see
    `_BUILD`)."""
    cursor = (
        await session.scalars(select(SearchFeedCursor).with_for_update(skip_locked=True))
    ).one_or_none()
    if cursor is None:
        return 0
    await events_service.sequence_pending(session)
    upto = await events_service.window(session, after=cursor.position, batch=batch)
    if upto is None:
        return 0
    events = await events_service.sequenced(
        session, type="appeal.registered", after=cursor.position, upto=upto
    )
    ids = [e.appeal_id for e in events if e.appeal_id is not None]
    connection = await session.connection()
    built = (await connection.execute(_BUILD, {"ids": ids})).rowcount if ids else 0
    cursor.position = upto
    await session.flush()
    return built


async def build(connection: AsyncConnection, ids: Sequence[uuid.UUID]) -> None:
    """The rows of appeals written without events (the seeder's COPY), at once."""
    await connection.execute(_BUILD, {"ids": list(ids)})
