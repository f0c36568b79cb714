"""All SQL of the appeals domain."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BindParameter,
    Select,
    TextClause,
    and_,
    bindparam,
    insert,
    or_,
    select,
    text,
    tuple_,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from appeals_api.appeals.models import (
    Appeal,
    AppealDeadline,
    AppealHistory,
    Assignment,
    IdempotencyRecord,
    Letter,
    Measure,
    Resolution,
)
from appeals_api.appeals.numbering import SQL_DISPLAY_NUMBER


@dataclass(frozen=True)
class PriorAnswer:
    request_hash: str
    status_code: int | None
    response: dict[str, Any] | None


# Built once: intake runs it on every request that carries a key.
_CLAIM = (
    pg_insert(IdempotencyRecord)
    .values(
        principal_id=bindparam("principal_id"),
        key=bindparam("key"),
        request_hash=bindparam("request_hash"),
        created_at=bindparam("now"),
    )
    .on_conflict_do_nothing()
    .returning(IdempotencyRecord.key)
)


async def claim_idempotency_key(
    session: AsyncSession,
    *,
    principal_id: uuid.UUID,
    key: str,
    request_hash: str,
    now: datetime,
) -> PriorAnswer | None:
    """Claim the key for this transaction, or return the answer of the one that claimed it.

    A concurrent retry blocks on the key's unique index until the first transaction ends: then it
    sees the committed answer, or, if the first one rolled back, claims the key itself.
    """
    claimed = await session.execute(
        _CLAIM,
        {"principal_id": principal_id, "key": key, "request_hash": request_hash, "now": now},
    )
    if claimed.first() is not None:
        return None
    row = (
        await session.execute(
            select(
                IdempotencyRecord.request_hash,
                IdempotencyRecord.status_code,
                IdempotencyRecord.response,
            ).where(IdempotencyRecord.principal_id == principal_id, IdempotencyRecord.key == key)
        )
    ).one()
    return PriorAnswer(row.request_hash, row.status_code, row.response)


async def insert_history(session: AsyncSession, **values: Any) -> None:
    await session.execute(insert(AppealHistory).values(**values))


@functools.lru_cache(maxsize=8)
def _numbered_statement(columns: tuple[str, ...], idempotent: bool) -> TextClause:
    """The intake statement for a set of appeal columns, built once (building costs more
    than running it). Column names come from the model, never from a request."""
    number_sql = SQL_DISPLAY_NUMBER % {"seq": "a.seq", "year": "a.year"}
    ctes = [
        """c AS (
            INSERT INTO registration_counters AS rc (year, last_seq) VALUES (:year, 1)
            ON CONFLICT (year) DO UPDATE SET last_seq = rc.last_seq + 1
            RETURNING last_seq
        )""",
        f"""a AS (
            INSERT INTO appeals ({", ".join(columns)}, seq)
            SELECT {", ".join(":" + c for c in columns)}, c.last_seq FROM c
            RETURNING id, year, seq
        )""",
        """d AS (
            INSERT INTO appeal_deadlines (appeal_id, rule, start_on, due_on, original_due_on)
            SELECT a.id, x.rule, x.start_on, x.due_on, x.due_on
            FROM a, unnest(CAST(:dl_rules AS text[]), CAST(:dl_starts AS date[]),
                           CAST(:dl_dues AS date[])) AS x(rule, start_on, due_on)
        )""",
        """h AS (
            INSERT INTO appeal_history
                (appeal_id, at, actor_id, actor_name, actor_role, action, changes, note)
            SELECT a.id, :h_at, :h_actor_id, :h_actor_name, :h_actor_role, :h_action,
                   :h_changes, NULL
            FROM a
        )""",
        f"""e AS (
            INSERT INTO events (type, appeal_id, occurred_at, data)
            SELECT :event_type, a.id, :event_at,
                   :event_data || jsonb_build_object('seq', a.seq, 'number', {number_sql})
            FROM a
        )""",
    ]
    types: list[BindParameter[Any]] = [
        bindparam(c, type_=Appeal.__table__.c[c].type) for c in columns
    ]
    types += [bindparam(n, type_=JSONB) for n in ("h_changes", "event_data")]
    if idempotent:
        ctes.append(
            """i AS (
                UPDATE idempotency_keys SET status_code = 201,
                       response = :response || jsonb_build_object('seq', a.seq)
                FROM a WHERE principal_id = :idem_principal AND key = :idem_key
            )"""
        )
        types.append(bindparam("response", type_=JSONB))
    sql = "WITH " + ",\n".join(ctes) + "\nSELECT seq FROM a"
    return text(sql).bindparams(*types)


async def insert_numbered(
    session: AsyncSession,
    *,
    values: dict[str, Any],
    deadlines: Sequence[dict[str, Any]],
    history: dict[str, Any],
    event: dict[str, Any],
    idempotency: tuple[uuid.UUID, str, dict[str, Any]] | None,
) -> int:
    """Take the next number of the year and insert the appeal with its stage deadlines, its
    history row, its event and its idempotent answer: one statement, one round trip.

    The counter row stays locked from this statement to the commit, and nothing else of the
    intake runs in between: that is what keeps numbering gapless without slowing intake (R-2.1).
    """
    params: dict[str, Any] = {
        **values,
        "dl_rules": [d["rule"] for d in deadlines],
        "dl_starts": [d["start_on"] for d in deadlines],
        "dl_dues": [d["due_on"] for d in deadlines],
        **{f"h_{k}": v for k, v in history.items()},
        "event_type": event["type"],
        "event_at": event["at"],
        "event_data": event["data"],
    }
    if idempotency is not None:
        params["idem_principal"], params["idem_key"], params["response"] = idempotency
    stmt = _numbered_statement(tuple(values), idempotency is not None)
    # `year` is both a column value and the counter's key: one parameter serves both.
    return int((await session.execute(stmt, params)).scalar_one())


async def find_by_number(session: AsyncSession, *, year: int, seq: int) -> Appeal | None:
    return (
        await session.scalars(select(Appeal).where(Appeal.year == year, Appeal.seq == seq))
    ).one_or_none()


async def get(session: AsyncSession, appeal_id: uuid.UUID) -> Appeal | None:
    return await session.get(Appeal, appeal_id)


async def deadlines_of(
    session: AsyncSession, appeal_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[AppealDeadline]]:
    out: dict[uuid.UUID, list[AppealDeadline]] = {a: [] for a in appeal_ids}
    if not appeal_ids:
        return out
    rows = await session.scalars(
        select(AppealDeadline)
        .where(AppealDeadline.appeal_id.in_(appeal_ids))
        .order_by(AppealDeadline.appeal_id, AppealDeadline.id)
    )
    for d in rows:
        out[d.appeal_id].append(d)
    return out


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


def _overdue(today: date) -> Any:
    # Overdue: the answer deadline has passed while consideration has not ended, or it
    # ended after the deadline (R-6.3: on-time is judged by the day the response is sent).
    return or_(
        and_(Appeal.completed_on.is_(None), Appeal.due_date < today),
        Appeal.completed_on > Appeal.due_date,
    )


def list_query(
    flt: ListFilter, *, after: tuple[int, int] | None, limit: int, today: date
) -> Select[Appeal]:
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


async def get_for_update(session: AsyncSession, appeal_id: uuid.UUID) -> Appeal | None:
    """The appeal, locked until the transaction ends: one action at a time on an appeal."""
    return (
        await session.scalars(select(Appeal).where(Appeal.id == appeal_id).with_for_update())
    ).one_or_none()


async def current_assignments(session: AsyncSession, appeal_id: uuid.UUID) -> list[Assignment]:
    rows = await session.scalars(
        select(Assignment)
        .join(Resolution, Resolution.id == Assignment.resolution_id)
        .where(Assignment.appeal_id == appeal_id, Resolution.superseded_at.is_(None))
        .order_by(Assignment.position)
    )
    return list(rows)


async def letters_of(session: AsyncSession, appeal_id: uuid.UUID) -> list[Letter]:
    rows = await session.scalars(
        select(Letter).where(Letter.appeal_id == appeal_id).order_by(Letter.id)
    )
    return list(rows)


async def resolutions_of(session: AsyncSession, appeal_id: uuid.UUID) -> list[Resolution]:
    rows = await session.scalars(
        select(Resolution).where(Resolution.appeal_id == appeal_id).order_by(Resolution.id)
    )
    return list(rows)


async def assignments_of(session: AsyncSession, appeal_id: uuid.UUID) -> list[Assignment]:
    rows = await session.scalars(
        select(Assignment).where(Assignment.appeal_id == appeal_id).order_by(Assignment.id)
    )
    return list(rows)


async def measures_of(session: AsyncSession, appeal_id: uuid.UUID) -> list[Measure]:
    rows = await session.scalars(
        select(Measure).where(Measure.appeal_id == appeal_id).order_by(Measure.id)
    )
    return list(rows)


async def joined_duplicates(session: AsyncSession, original_id: uuid.UUID) -> list[Appeal]:
    """R-5.2: the duplicates joined to an appeal, locked: they are answered with it."""
    rows = await session.scalars(
        select(Appeal)
        .where(Appeal.joined_to == original_id, Appeal.completed_on.is_(None))
        .order_by(Appeal.id)
        .with_for_update()
    )
    return list(rows)
