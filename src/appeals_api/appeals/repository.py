"""All SQL of the appeals domain."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BindParameter,
    Select,
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
        pg_insert(IdempotencyRecord)
        .values(principal_id=principal_id, key=key, request_hash=request_hash, created_at=now)
        .on_conflict_do_nothing()
        .returning(IdempotencyRecord.key)
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


async def insert_deadlines(
    session: AsyncSession, *, appeal_id: uuid.UUID, deadlines: Sequence[dict[str, Any]]
) -> None:
    await session.execute(
        insert(AppealDeadline), [{"appeal_id": appeal_id, **d} for d in deadlines]
    )


async def insert_history(session: AsyncSession, **values: Any) -> None:
    await session.execute(insert(AppealHistory).values(**values))


def _typed(name: str, value: Any) -> BindParameter[Any]:
    return bindparam(name, value, type_=Appeal.__table__.c[name].type)


async def insert_numbered(
    session: AsyncSession,
    *,
    values: dict[str, Any],
    event: dict[str, Any],
    idempotency: tuple[uuid.UUID, str, dict[str, Any]] | None,
) -> int:
    """Take the next number of the year and insert the appeal, its event and its answer at once.

    The counter row stays locked from this statement to the commit, and nothing else of the
    intake runs in between: that is what keeps numbering gapless without slowing intake (R-2.1).
    """
    columns = list(values)
    params: list[BindParameter[Any]] = [_typed(c, values[c]) for c in columns]
    number_sql = SQL_DISPLAY_NUMBER % {"seq": "a.seq", "year": "a.year"}
    ctes = [
        """c AS (
            INSERT INTO registration_counters AS rc (year, last_seq) VALUES (:year, 1)
            ON CONFLICT (year) DO UPDATE SET last_seq = rc.last_seq + 1
            RETURNING last_seq
        )""",
        # Column names come from the model, never from a request: nothing here is user text.
        f"""a AS (
            INSERT INTO appeals ({", ".join(columns)}, seq)
            SELECT {", ".join(":" + c for c in columns)}, c.last_seq FROM c
            RETURNING id, year, seq
        )""",
        f"""e AS (
            INSERT INTO events (type, appeal_id, occurred_at, data)
            SELECT :event_type, a.id, :event_at,
                   :event_data || jsonb_build_object('seq', a.seq, 'number', {number_sql})
            FROM a
        )""",
    ]
    params += [
        bindparam("event_type", event["type"]),
        bindparam("event_at", event["at"]),
        bindparam("event_data", event["data"], type_=JSONB),
    ]
    if idempotency is not None:
        principal_id, key, response = idempotency
        ctes.append(
            """i AS (
                UPDATE idempotency_keys SET status_code = 201,
                       response = :response || jsonb_build_object('seq', a.seq)
                FROM a WHERE principal_id = :idem_principal AND key = :idem_key
            )"""
        )
        params += [
            bindparam("response", response, type_=JSONB),
            bindparam("idem_principal", principal_id),
            bindparam("idem_key", key),
        ]
    sql = "WITH " + ",\n".join(ctes) + "\nSELECT seq FROM a"
    stmt = text(sql).bindparams(*params)
    # `year` is both a column value and the counter's key: one parameter serves both.
    return int((await session.execute(stmt)).scalar_one())


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
