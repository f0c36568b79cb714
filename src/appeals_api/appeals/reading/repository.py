"""All SQL of reading appeals: one by id with its reader's key in one statement, lists, history."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

import asyncpg
from pydantic_core import from_json
from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    exists,
    func,
    literal_column,
    or_,
    select,
    true,
    tuple_,
)
from sqlalchemy.ext.asyncio import AsyncSession

from appeals_api.appeals.enums import DispatchChannel
from appeals_api.appeals.models import Appeal, AppealHistory, Resolution
from appeals_api.appeals.reading.fields import Row
from appeals_api.appeals.reading.sorting import Keyset, Sort
from appeals_api.appeals.repository import answer_violated
from appeals_api.appeals.search import repository as search
from appeals_api.auth import repository as keys
from appeals_api.auth.roles import Principal
from appeals_api.sql import Params, Statement
from appeals_api.topics.models import Topic

# An appeal's deadlines and its violations (R-9.4) beside its columns, `{a}` the appeals'
# name in the statement: one appeal, or a page of them, in one round trip (`attached` reads
# them back).
_DEADLINE_ROWS = "ARRAY(SELECT d FROM appeal_deadlines d WHERE d.appeal_id = {a}.id ORDER BY d.id)"
_VIOLATION_ROWS = """ARRAY(SELECT (v.rule, v.due_on, v.recorded_at, v.units, v.executors::text)
      FROM appeal_violations v WHERE v.appeal_id = {a}.id ORDER BY v.due_on, v.id)"""
APPEAL_COLUMNS = tuple(c.key for c in Appeal.__table__.columns)


def with_attached(stmt: Select[Any]) -> Select[Any]:
    """`stmt` (rows of `appeals`) with each appeal's deadlines and violations."""
    return stmt.add_columns(
        literal_column(_DEADLINE_ROWS.format(a="appeals")).label("deadline_rows"),
        literal_column(_VIOLATION_ROWS.format(a="appeals")).label("violation_rows"),
    )


@dataclass(frozen=True)
class Attached:
    """An appeal read with its deadlines and violations, as plain rows."""

    appeal: Row
    deadlines: list[Row]
    violations: list[Row]


def attached(row: Mapping[str, Any]) -> Attached:
    """The appeal, deadlines and violations of a row `with_attached` (or the read by id)."""
    return Attached(
        appeal=Row(**{c: row[c] for c in APPEAL_COLUMNS}),
        deadlines=[Row(**dict(d)) for d in row["deadline_rows"]],
        violations=[
            Row(rule=v[0], due_on=v[1], recorded_at=v[2], units=v[3], executors=from_json(v[4]))
            for v in row["violation_rows"]
        ],
    )


def _read_statement() -> Statement:
    p = Params()
    sql = f"""WITH {keys.key_ctes(p)}
SELECT k.id AS principal_id, k.name AS principal_name, k.role AS principal_role,
       k.unit_code AS principal_unit, a.*,
       {_DEADLINE_ROWS.format(a="a")} AS deadline_rows,
       {_VIOLATION_ROWS.format(a="a")} AS violation_rows,
       EXISTS (SELECT FROM appeal_assignments x WHERE x.appeal_id = a.id
               AND x.dispatch_channel = '{DispatchChannel.DIRECTUM.value}') AS via_directum
FROM (SELECT) AS one LEFT JOIN k ON true
LEFT JOIN appeals a ON k.id IS NOT NULL AND a.id = {p("appeal_id", "uuid")}"""  # noqa: S608
    return Statement(sql, tuple(p.names))


_READ = _read_statement()


async def read_with_key(
    pool: asyncpg.Pool,
    *,
    key_hash: str,
    appeal_id: uuid.UUID,
    now: datetime,
    person: Principal | None = None,
) -> asyncpg.Record:
    """The reader's key (principal_* columns, null when not valid now), the appeal's columns
    (null when there is none), its deadlines (`deadline_rows`), its violations (`violation_rows`:
    rule, due_on, recorded_at, units, executors as JSON text) and whether it was ever sent
    through DIRECTUM (`via_directum`): one round trip."""
    values = {**keys.key_values(key_hash, now, person), "appeal_id": appeal_id}
    row = await pool.fetchrow(_READ.sql, *_READ.args(values))
    assert row is not None  # the statement always answers one row
    return row


@dataclass(frozen=True)
class ListFilter:
    """The list's filters, each one condition; a new filter (e.g. topic, #16) is one field here
    and one condition in `_conditions`."""

    status: str | None = None
    kind: str | None = None
    channel: str | None = None
    form: str | None = None
    unit: str | None = None
    received_from: datetime | None = None
    received_before: datetime | None = None
    overdue: bool | None = None
    only_unit: str | None = None  # an executor sees only appeals routed to its unit
    search: search.Search | None = None  # `q`: only the matches, best first
    due_from: date | None = None
    due_to: date | None = None
    executor: str | None = None  # a named executor of the resolution in force, any case
    phone: str | None = None  # normalised digits (`normal_phone`)
    email: str | None = None  # lower case
    # a filter by personal data leaves out the confidential appeals whose applicants
    # this reader may not see, so that a match never tells them who the applicant is.
    personal_only_public: bool = False
    topic: str | None = None  # a topic's code; its sub-topics match too


def _overdue(today: date) -> Any:
    # Overdue: an answer deadline was violated (R-9.4: recorded, nothing later undoes it), or
    # the one in force has passed while consideration has not ended, or it ended after it
    # on-time is judged by the day the response is sent).
    return or_(
        answer_violated(Appeal.id),
        and_(Appeal.completed_on.is_(None), Appeal.due_date < today),
        Appeal.completed_on > Appeal.due_date,
    )


def _phone_digits(text: Any) -> Any:
    """A stored phone as `normal_phone` gives it: digits only, Uzbekistan's 998 dropped."""
    digits = func.regexp_replace(text, r"\D", "", "g")
    return func.regexp_replace(digits, r"^998(\d{9})$", r"\1")


def _applicant_has(field: str, value: str) -> ColumnElement[bool]:
    """Some applicant's phone or e-mail is this one (normalised as the filter's value)."""
    applicant = func.jsonb_array_elements(Appeal.applicants).table_valued("value").alias("ap")
    stored = applicant.c.value.op("->>")(field)
    normal = _phone_digits(stored) if field == "phone" else func.lower(func.btrim(stored))
    return exists(select(1).select_from(applicant).where(normal == value))


def _under_topic(code: str) -> ColumnElement[bool]:
    """Carries the topic or one of its sub-topics (one array, so the GIN index answers)."""
    codes = (
        select(func.array_agg(Topic.code))
        .where(or_(Topic.code == code, Topic.code.startswith(code + ".")))
        .scalar_subquery()
    )
    overlaps: ColumnElement[bool] = Appeal.topics.overlap(codes)
    return overlaps


def _named_executor(name: str) -> ColumnElement[bool]:
    named = func.jsonb_array_elements(Resolution.executors).table_valued("value").alias("ex")
    return exists(
        select(1)
        .select_from(Resolution)
        .join(named, true())
        .where(
            Resolution.appeal_id == Appeal.id,
            Resolution.superseded_at.is_(None),
            func.lower(func.btrim(named.c.value.op("->>")("name"))) == name.lower(),
        )
    )


def _conditions(flt: ListFilter, today: date) -> list[Any]:
    equal = {"status": Appeal.status, "kind": Appeal.kind, "channel": Appeal.channel,
             "form": Appeal.form}  # fmt: skip
    out: list[Any] = [c == getattr(flt, name) for name, c in equal.items() if getattr(flt, name)]
    out += [Appeal.units.contains([u]) for u in (flt.unit, flt.only_unit) if u]
    if flt.received_from:
        out.append(Appeal.received_at >= flt.received_from)
    if flt.received_before:
        out.append(Appeal.received_at < flt.received_before)
    if flt.overdue is not None:
        out.append(_overdue(today) if flt.overdue else ~_overdue(today))
    if flt.due_from:
        out.append(Appeal.due_date >= flt.due_from)
    if flt.due_to:
        out.append(Appeal.due_date <= flt.due_to)
    if flt.executor:
        out.append(_named_executor(flt.executor))
    if flt.topic:
        out.append(_under_topic(flt.topic))
    out += [_applicant_has(f, v) for f, v in (("phone", flt.phone), ("email", flt.email)) if v]
    if (flt.phone or flt.email) and flt.personal_only_public:
        out.append(Appeal.confidential.is_(False))
    return out


_SORT_KEYS: dict[str, Any] = {"received": Appeal.received_at, "due": Appeal.due_date}


def list_query(
    flt: ListFilter,
    *,
    after: Keyset | None,
    limit: int,
    today: date,
    sort: Sort = Sort.NUMBER_DESC,
    ranked_after: search.After | None = None,
) -> Select[Any]:
    """A keyset page in `sort` order: the key, then the number, all one direction; with a
    search (`flt.search`), the matches best first, keyed on rank and number instead."""
    stmt = select(Appeal.__table__).where(*_conditions(flt, today))
    if flt.search is not None:
        return search.ranked(stmt, flt.search, after=ranked_after, limit=limit)
    columns = [Appeal.year, Appeal.seq]
    start: list[Any] = [after.year, after.seq] if after else []
    if sort.key in _SORT_KEYS:
        columns.insert(0, _SORT_KEYS[sort.key])
        start.insert(0, after.key if after else None)
    if after is not None:
        position, from_ = tuple_(*columns), tuple_(*start)
        stmt = stmt.where(position < from_ if sort.descending else position > from_)
    order = [c.desc() if sort.descending else c.asc() for c in columns]
    return stmt.order_by(*order).limit(limit)


async def list_appeals(
    session: AsyncSession,
    flt: ListFilter,
    *,
    after: Keyset | None,
    limit: int,
    today: date,
    sort: Sort = Sort.NUMBER_DESC,
) -> list[Attached]:
    stmt = list_query(flt, after=after, limit=limit, today=today, sort=sort)
    return [attached(row._mapping) for row in await session.execute(with_attached(stmt))]


async def count_appeals(
    session: AsyncSession, flt: ListFilter, *, today: date, at_most: int | None = None
) -> int:
    """How many appeals the filter (and the search, if any) matches, over all pages; with
    `at_most`, counted no further than one past it (a search's count stops there)."""
    stmt: Select[Any] = select(Appeal.id).where(*_conditions(flt, today))
    if flt.search is None:
        return int(await session.scalar(select(func.count()).select_from(stmt.subquery())) or 0)
    async with search.planned_for_its_words(session, counting=True):
        resolved = await search.resolve(session, flt.search, probe=False)
        stmt = search.ranked(stmt, resolved, after=None, limit=None)
        if at_most is not None:
            stmt = stmt.limit(at_most + 1)
        return int(await session.scalar(select(func.count()).select_from(stmt.subquery())) or 0)


async def search_appeals(
    session: AsyncSession,
    flt: ListFilter,
    *,
    after: search.After | None,
    limit: int,
    today: date,
) -> tuple[list[tuple[Attached, float, str]], bool]:
    """The matches of `flt.search` among the filtered appeals, (appeal, rank, snippet) each,
    and whether they come newest first (many matches) rather than best first."""
    assert flt.search is not None
    async with search.planned_for_its_words(session):
        # A later page keeps its first page's order, whatever the words match by now.
        resolved = await search.resolve(session, flt.search, probe=after is None)
        flt = replace(flt, search=resolved)
        stmt = list_query(flt, after=None, ranked_after=after, limit=limit, today=today)
        hits = [
            (attached(row._mapping), row.rank, row.snippet)
            for row in await session.execute(with_attached(stmt))
        ]
    return hits, after.newest if after is not None else not resolved.few


async def history(
    session: AsyncSession, *, appeal_id: uuid.UUID, after: int, limit: int
) -> list[AppealHistory]:
    rows = await session.scalars(
        select(AppealHistory)
        .where(AppealHistory.appeal_id == appeal_id, AppealHistory.id > after)
        .order_by(AppealHistory.id)
        .limit(limit)
    )
    return list(rows)
