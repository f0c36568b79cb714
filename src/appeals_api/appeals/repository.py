"""SQL shared by the appeals' sub-packages: an appeal and its deadlines."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, select, text, union
from sqlalchemy.ext.asyncio import AsyncSession

from appeals_api.appeals.enums import Form
from appeals_api.appeals.models import Appeal, AppealDeadline, AppealViolation, Resolution

# The rules an appeal's answer deadline (`answer_rule`) can take: a violation of one of them
# makes the appeal overdue (R-6.3, R-9.4); the other stages' violations are noted as well.
ANSWER_RULES = (
    "answer",
    "answer_extended_study",
    "proposal_answer",
    "withdrawal_answer",
    "forward",
    "return",
)


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


async def get_for_update(session: AsyncSession, appeal_id: uuid.UUID) -> Appeal | None:
    """The appeal, locked until the transaction ends: one action at a time on an appeal."""
    return (
        await session.scalars(select(Appeal).where(Appeal.id == appeal_id).with_for_update())
    ).one_or_none()


def touched_by_day(day: date, tz: ZoneInfo) -> Select[tuple[uuid.UUID]]:
    """The ids of the appeals a decree override on `day` may touch (R-3.6): those with an open
    deadline whose span covers the day (a deadline counted from `start_on` to `due_on` depends
    only on the days in that span; one a manager fixed on the day is among them), and the open
    e-appeals received on or before the day whose counting starts on or after it. Each part is
    a range scan of a partial index over open rows (`ix_appeal_deadlines_open_due`, 0012's)."""
    day_after = datetime.combine(day + timedelta(days=1), time(), tzinfo=tz)
    spanning = select(AppealDeadline.appeal_id.label("id")).where(
        AppealDeadline.done_on.is_(None),
        AppealDeadline.due_on >= day,
        AppealDeadline.start_on <= day,
    )
    starting = select(Appeal.id.label("id")).where(
        Appeal.completed_on.is_(None),
        # A literal, as in the partial index's predicate (0012), so a generic plan uses it.
        text(f"appeals.form = '{Form.ELECTRONIC.value}'"),
        Appeal.registered_on >= day,
        Appeal.received_at < day_after,
    )
    found = union(spanning, starting).subquery()
    return select(found.c.id)


async def lock_appeals(session: AsyncSession, appeal_ids: Sequence[uuid.UUID]) -> list[Appeal]:
    """The appeals, locked until the transaction ends, in the order of their ids (lock 4)."""
    rows = await session.scalars(
        select(Appeal).where(Appeal.id.in_(appeal_ids)).order_by(Appeal.id).with_for_update()
    )
    return list(rows)


async def violations_of(
    session: AsyncSession, appeal_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[AppealViolation]]:
    """The recorded violations of each appeal (R-9.4), by due date."""
    out: dict[uuid.UUID, list[AppealViolation]] = {a: [] for a in appeal_ids}
    if not appeal_ids:
        return out
    rows = await session.scalars(
        select(AppealViolation)
        .where(AppealViolation.appeal_id.in_(appeal_ids))
        .order_by(AppealViolation.appeal_id, AppealViolation.due_on, AppealViolation.id)
    )
    for v in rows:
        out[v.appeal_id].append(v)
    return out


def answer_violated(appeal_id: Any) -> ColumnElement[bool]:
    """SQL: the appeal has a recorded violation of an answer deadline (R-9.4). An uncorrelated
    IN, so PostgreSQL hashes the (small) violations once for a whole range of appeals."""
    return appeal_id.in_(  # type: ignore[no-any-return]
        select(AppealViolation.appeal_id).where(AppealViolation.rule.in_(ANSWER_RULES))
    )


async def executors_in_force(session: AsyncSession, appeal_id: uuid.UUID) -> list[dict[str, Any]]:
    """The named executors of the appeal's resolution in force (R-4.1), or none."""
    found = await session.scalar(
        select(Resolution.executors)
        .where(Resolution.appeal_id == appeal_id, Resolution.superseded_at.is_(None))
        .order_by(Resolution.id.desc())
        .limit(1)
    )
    return list(found or [])


_RECORD_VIOLATION = text(
    """
    INSERT INTO appeal_violations
        (appeal_id, rule, due_on, recorded_at, units, executors, deadline_id, recorded_by)
    VALUES (:appeal_id, :rule, :due_on, :now, CAST(:units AS varchar[]),
            CAST(:executors AS jsonb), :deadline_id, :recorded_by)
    ON CONFLICT DO NOTHING
    RETURNING id
    """
)


async def insert_violation(
    session: AsyncSession,
    *,
    appeal_id: uuid.UUID,
    rule: str,
    due_on: date,
    now: datetime,
    units: Sequence[str],
    executors: Sequence[dict[str, Any]],
    deadline_id: int | None,
    recorded_by: str,
) -> bool:
    """Record a violation once per appeal, rule and due date; whether this call recorded it."""
    values = {
        "appeal_id": appeal_id,
        "rule": rule,
        "due_on": due_on,
        "now": now,
        "units": list(units),
        "executors": json.dumps(list(executors)),
        "deadline_id": deadline_id,
        "recorded_by": recorded_by,
    }
    return (await session.execute(_RECORD_VIOLATION, values)).first() is not None
