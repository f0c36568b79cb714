"""SQL of the sequenced feed that its consumers share: where its head is, and a range of it."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from appeals_api.events.models import Event


async def feed_head(session: AsyncSession) -> int:
    return int((await session.scalar(select(func.coalesce(func.max(Event.feed_id), 0)))) or 0)


async def sequenced(session: AsyncSession, *, type: str, after: int, upto: int) -> list[Event]:
    rows = await session.scalars(
        select(Event)
        .where(Event.type == type, Event.feed_id > after, Event.feed_id <= upto)
        .order_by(Event.feed_id)
    )
    return list(rows)
