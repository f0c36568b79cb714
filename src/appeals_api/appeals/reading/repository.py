"""All SQL of reading appeals: one by id with its reader's key in one statement, lists, history."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import asyncpg
from sqlalchemy import Select, and_, or_, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from appeals_api.appeals.enums import DispatchChannel
from appeals_api.appeals.models import Appeal, AppealHistory
from appeals_api.appeals.repository import answer_violated
from appeals_api.appeals.search import repository as search
from appeals_api.auth import repository as keys
from appeals_api.sql import Params, Statement


def _read_statement() -> Statement:
    p = Params()
    sql = f"""WITH {keys.key_ctes(p)}
SELECT k.id AS principal_id, k.name AS principal_name, k.role AS principal_role,
       k.unit_code AS principal_unit, a.*,
       ARRAY(SELECT d FROM appeal_deadlines d WHERE d.appeal_id = a.id ORDER BY d.id)
           AS deadline_rows,
       ARRAY(SELECT (v.rule, v.due_on, v.recorded_at, v.units, v.executors::text)
             FROM appeal_violations v WHERE v.appeal_id = a.id ORDER BY v.due_on, v.id)
           AS violation_rows,
       EXISTS (SELECT FROM appeal_assignments x WHERE x.appeal_id = a.id
               AND x.dispatch_channel = '{DispatchChannel.DIRECTUM.value}') AS via_directum
FROM (SELECT) AS one LEFT JOIN k ON true
LEFT JOIN appeals a ON k.id IS NOT NULL AND a.id = {p("appeal_id", "uuid")}"""  # noqa: S608
    return Statement(sql, tuple(p.names))


_READ = _read_statement()


async def read_with_key(
    pool: asyncpg.Pool, *, key_hash: str, appeal_id: uuid.UUID, now: datetime
) -> asyncpg.Record:
    """The reader's key (principal_* columns, null when not valid now), the appeal's columns
    (null when there is none), its deadlines (`deadline_rows`), its violations (`violation_rows`:
    rule, due_on, recorded_at, units, executors as JSON text) and whether it was ever sent
    through DIRECTUM (`via_directum`): one round trip."""
    values = {**keys.key_values(key_hash, now), "appeal_id": appeal_id}
    row = await pool.fetchrow(_READ.sql, *_READ.args(values))
    assert row is not None  # the statement always answers one row
    return row


@dataclass(frozen=True)
class ListFilter:
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


def _overdue(today: date) -> Any:
    # Overdue: an answer deadline was violated (R-9.4: recorded, nothing later undoes it), or
    # the one in force has passed while consideration has not ended, or it ended after it
    # on-time is judged by the day the response is sent).
    return or_(
        answer_violated(Appeal.id),
        and_(Appeal.completed_on.is_(None), Appeal.due_date < today),
        Appeal.completed_on > Appeal.due_date,
    )


def list_query(
    flt: ListFilter,
    *,
    after: tuple[int, int] | None,
    limit: int,
    today: date,
    ranked_after: search.RankedAfter | None = None,
) -> Select[Any]:
    stmt = select(Appeal)
    if flt.status:
        stmt = stmt.where(Appeal.status == flt.status)
    if flt.kind:
        stmt = stmt.where(Appeal.kind == flt.kind)
    if flt.channel:
        stmt = stmt.where(Appeal.channel == flt.channel)
    if flt.form:
        stmt = stmt.where(Appeal.form == flt.form)
    if flt.unit:
        stmt = stmt.where(Appeal.units.contains([flt.unit]))
    if flt.only_unit:
        stmt = stmt.where(Appeal.units.contains([flt.only_unit]))
    if flt.received_from:
        stmt = stmt.where(Appeal.received_at >= flt.received_from)
    if flt.received_before:
        stmt = stmt.where(Appeal.received_at < flt.received_before)
    if flt.overdue is True:
        stmt = stmt.where(_overdue(today))
    elif flt.overdue is False:
        stmt = stmt.where(~_overdue(today))
    if flt.search is not None:
        return search.ranked(stmt, flt.search, after=ranked_after, limit=limit)
    if after is not None:
        stmt = stmt.where(tuple_(Appeal.year, Appeal.seq) < tuple_(*after))
    return stmt.order_by(Appeal.year.desc(), Appeal.seq.desc()).limit(limit)


async def list_appeals(
    session: AsyncSession,
    flt: ListFilter,
    *,
    after: tuple[int, int] | None,
    limit: int,
    today: date,
) -> list[Appeal]:
    return list(await session.scalars(list_query(flt, after=after, limit=limit, today=today)))


async def search_appeals(
    session: AsyncSession,
    flt: ListFilter,
    *,
    after: search.RankedAfter | None,
    limit: int,
    today: date,
) -> list[tuple[Appeal, float, str]]:
    """The matches of `flt.search` among the filtered appeals, best first: (appeal, rank,
    snippet)."""
    stmt = list_query(flt, after=None, ranked_after=after, limit=limit, today=today)
    return [(row[0], row[1], row[2]) for row in await session.execute(stmt)]


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
