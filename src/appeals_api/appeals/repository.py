"""SQL shared by the appeals' sub-packages: an appeal and its deadlines."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from appeals_api.appeals.enums import Form
from appeals_api.appeals.models import Appeal, AppealDeadline


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


async def open_deadlines_spanning(session: AsyncSession, day: date) -> list[AppealDeadline]:
    """Open, calendar-derived deadlines whose span covers `day`, locked, in the order of their
    appeals' ids (R-3.6: what a decree override on `day` may move)."""
    rows = await session.scalars(
        select(AppealDeadline)
        .where(
            AppealDeadline.done_on.is_(None),
            AppealDeadline.fixed.is_(False),
            AppealDeadline.start_on <= day,
            AppealDeadline.due_on >= day,
        )
        .order_by(AppealDeadline.appeal_id, AppealDeadline.id)
        .with_for_update()
    )
    return list(rows)


async def open_electronic_starting_across(
    session: AsyncSession, day: date, tz: ZoneInfo
) -> list[Appeal]:
    """Open e-appeals received on or before `day` whose counting starts on or after it, locked,
    in the order of their ids (R-3.6: whose start a decree override on `day` may re-date)."""
    day_after = datetime.combine(day + timedelta(days=1), time(), tzinfo=tz)
    rows = await session.scalars(
        select(Appeal)
        .where(
            Appeal.completed_on.is_(None),
            # A literal, as in the partial index's predicate (0012), so a generic plan uses it.
            text(f"appeals.form = '{Form.ELECTRONIC.value}'"),
            Appeal.registered_on >= day,
            Appeal.received_at < day_after,
        )
        .order_by(Appeal.id)
        .with_for_update()
    )
    return list(rows)


async def open_fixed_deadlines_due(session: AsyncSession, day: date) -> list[AppealDeadline]:
    """Open deadlines a manager fixed on `day`, locked, in the order of their appeals' ids
    (R-3.6: what a decree making `day` a day off moves to the next working day)."""
    rows = await session.scalars(
        select(AppealDeadline)
        .where(
            AppealDeadline.done_on.is_(None),
            AppealDeadline.fixed.is_(True),
            AppealDeadline.due_on == day,
        )
        .order_by(AppealDeadline.appeal_id, AppealDeadline.id)
        .with_for_update()
    )
    return list(rows)
