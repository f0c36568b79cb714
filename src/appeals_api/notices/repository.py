"""All SQL of the notices domain."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import load_only

from appeals_api.appeals.models import Appeal
from appeals_api.notices.models import Notice, NoticeCode, NoticeFeedCursor, NoticeStatus


async def lock_cursor(session: AsyncSession) -> NoticeFeedCursor | None:
    """The feed cursor, locked for this transaction; None while another worker holds it."""
    return (
        await session.scalars(select(NoticeFeedCursor).with_for_update(skip_locked=True))
    ).one_or_none()


async def appeals_by_id(
    session: AsyncSession, appeal_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, Appeal]:
    if not appeal_ids:
        return {}
    rows = await session.scalars(select(Appeal).where(Appeal.id.in_(appeal_ids)))
    return {a.id: a for a in rows}


# What a notice reads of its appeal.
_TOLD = (
    Appeal.id,
    Appeal.year,
    Appeal.seq,
    Appeal.language,
    Appeal.applicants,
    Appeal.respond_to,
    Appeal.disposal,
)


async def appeals_to_tell(
    session: AsyncSession, appeal_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, Appeal]:
    """The appeals of the notice events, with only what a notice needs (R-8.4)."""
    if not appeal_ids:
        return {}
    rows = await session.scalars(
        select(Appeal).options(load_only(*_TOLD, raiseload=True)).where(Appeal.id.in_(appeal_ids))
    )
    return {a.id: a for a in rows}


async def take_codes(
    session: AsyncSession, appeal_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, str]:
    """The tracking codes kept for these appeals' receipts, deleted as they are read."""
    if not appeal_ids:
        return {}
    rows = await session.execute(
        delete(NoticeCode)
        .where(NoticeCode.appeal_id.in_(appeal_ids))
        .returning(NoticeCode.appeal_id, NoticeCode.code)
    )
    return {appeal_id: code for appeal_id, code in rows}


async def insert_notices(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> int:
    """One notice per event and channel: the rows not there yet are added, by one statement
    per thousand (SQLAlchemy's "insert many values"); how many were added."""
    if not rows:
        return 0
    added = await session.execute(
        pg_insert(Notice)
        .on_conflict_do_nothing(index_elements=["event_id", "channel"])
        .returning(Notice.id),
        list(rows),
    )
    return len(added.all())


async def claim_due(
    session: AsyncSession, *, now: datetime, channels: Sequence[str], batch: int
) -> list[Notice]:
    """Due notices of the channels that are on, each claimed by one sender (SKIP LOCKED); the
    batch shared between the channels (issue 19), so an e-mail never waits behind an SMS
    gateway's backlog, or the other way round."""
    share = -(-batch // len(channels)) if channels else 0
    claimed: list[Notice] = []
    for channel in channels:
        rows = await session.scalars(
            select(Notice)
            .where(
                Notice.status == NoticeStatus.PENDING.value,
                Notice.next_attempt_at <= now,
                Notice.channel == channel,
            )
            .order_by(Notice.next_attempt_at, Notice.id)
            .limit(share)
            .with_for_update(skip_locked=True)
        )
        claimed += rows
    return claimed


async def of_appeal(session: AsyncSession, appeal_id: uuid.UUID) -> list[Notice]:
    rows = await session.scalars(
        select(Notice).where(Notice.appeal_id == appeal_id).order_by(Notice.id)
    )
    return list(rows)
