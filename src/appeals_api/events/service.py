"""The outbox: events written with the change they report, served as an ordered feed (R-9)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from appeals_api.events import repository
from appeals_api.events.models import Event

# One advisory lock serializes the numbering of the feed, never the writing of events.
FEED_LOCK_KEY = 7_301_001

_SEQUENCE_SQL = text(
    """
    WITH base AS (SELECT coalesce(max(feed_id), 0) AS last FROM events),
    todo AS (
        SELECT id, row_number() OVER (ORDER BY id) AS n
        FROM events WHERE feed_id IS NULL
        ORDER BY id
        LIMIT :batch
    )
    UPDATE events e SET feed_id = base.last + todo.n
    FROM base, todo WHERE e.id = todo.id
    """
)


async def emit(
    session: AsyncSession,
    *,
    type: str,
    appeal_id: uuid.UUID | None,
    at: datetime,
    data: dict[str, Any],
) -> None:
    """Write an event in the caller's transaction: it exists if and only if the change does."""
    await session.execute(
        insert(Event).values(type=type, appeal_id=appeal_id, occurred_at=at, data=data)
    )


async def sequence_pending(session: AsyncSession, *, batch: int = 10_000) -> int:
    """Give committed events their feed position, in one serialized step.

    Transactions commit out of the order of their `id`s; numbering only what is committed,
    under a lock, means a reader resuming `after` a position can never miss a later commit.
    """
    await session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": FEED_LOCK_KEY})
    result = await session.execute(_SEQUENCE_SQL, {"batch": batch})
    return int(getattr(result, "rowcount", 0) or 0)


async def feed(session: AsyncSession, *, after: int, limit: int) -> list[Event]:
    """Events after position `after`, in feed order."""
    await sequence_pending(session)
    rows = await session.scalars(
        select(Event).where(Event.feed_id > after).order_by(Event.feed_id).limit(limit)
    )
    return list(rows)


async def page(session: AsyncSession, *, after: int, limit: int) -> tuple[list[Event], int]:
    """A page of the feed and the position to resume from: the last event's id, or when the
    page is empty, `after` itself, but never beyond the feed's head (an `after` past the end
    answers the head, so a consumer that stores it never skips the events still to come)."""
    events = await feed(session, after=after, limit=limit)
    if events:
        return events, events[-1].feed_id or after
    return events, min(after, await repository.feed_head(session))


async def head(session: AsyncSession) -> int:
    """The last position given so far (0 for an empty feed): consumers keep a cursor below it."""
    return await repository.feed_head(session)


async def window(session: AsyncSession, *, after: int, batch: int) -> int | None:
    """How far a consumer whose cursor is at `after` reads next: up to `batch` positions, not
    past the head; None when it is at the head already."""
    last = await head(session)
    return None if after >= last else min(last, after + batch)


async def sequenced(session: AsyncSession, *, type: str, after: int, upto: int) -> list[Event]:
    """The events of one type at feed positions after `after` up to `upto`, in feed order."""
    return await repository.sequenced(session, type=type, after=after, upto=upto)
