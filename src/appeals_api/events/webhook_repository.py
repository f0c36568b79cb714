"""All SQL of webhook deliveries: fan-out from the sequenced feed, claiming, listing."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from appeals_api.events.models import Event
from appeals_api.events.webhook_models import DeliveryStatus, WebhookDelivery, WebhookSubscription

# One row per (subscription, event): a second fan-out of the same range changes nothing.
_FAN_OUT_SQL = text(
    """
    INSERT INTO webhook_deliveries
        (subscription_id, event_id, feed_id, appeal_id, event_type, status, attempts,
         next_attempt_at, created_at)
    SELECT :sid, e.id, e.feed_id, e.appeal_id, e.type, 'pending', 0, :now, :now
    FROM events e
    WHERE e.feed_id > :after AND e.feed_id <= :upto
      AND (cardinality(CAST(:types AS text[])) = 0 OR e.type = ANY(CAST(:types AS text[])))
    ORDER BY e.feed_id
    ON CONFLICT (subscription_id, event_id) DO NOTHING
    """
)

# Due deliveries that are the earliest unacknowledged one of their appeal for their
# subscription; SKIP LOCKED: a row another sender holds is that sender's until it commits.
# Fair across subscriptions (issue 19): a batch takes each subscription's first due delivery
# before any one's second (`turn`), so a receiver with a backlog, slow or hung, delays the
# others' deliveries by a batch at most, not by its whole backlog.
_CLAIM_SQL = text(
    """
    WITH due AS (
        SELECT d.id, d.next_attempt_at, d.feed_id,
               row_number() OVER (
                   PARTITION BY d.subscription_id ORDER BY d.next_attempt_at, d.feed_id
               ) AS turn
        FROM webhook_deliveries d
        JOIN webhook_subscriptions s ON s.id = d.subscription_id AND s.deleted_at IS NULL
        WHERE d.status = 'pending' AND d.next_attempt_at <= :now
          AND NOT EXISTS (
              SELECT 1 FROM webhook_deliveries p
              WHERE p.subscription_id = d.subscription_id
                AND p.appeal_id = d.appeal_id
                AND p.status <> 'delivered'
                AND p.feed_id < d.feed_id
          )
    )
    SELECT d.id FROM webhook_deliveries d JOIN due ON due.id = d.id
    WHERE d.status = 'pending' AND d.next_attempt_at <= :now
    ORDER BY due.turn, due.next_attempt_at, due.feed_id
    LIMIT :batch
    FOR UPDATE OF d SKIP LOCKED
    """
)


async def lock_subscriptions(session: AsyncSession) -> list[WebhookSubscription]:
    """The subscriptions no other fan-out holds right now (each one fanned out by one at a time)."""
    rows = await session.scalars(
        select(WebhookSubscription)
        .where(WebhookSubscription.deleted_at.is_(None))
        .order_by(WebhookSubscription.id)
        .with_for_update(skip_locked=True)
    )
    return list(rows)


async def fan_out(
    session: AsyncSession, sub: WebhookSubscription, *, upto: int, now: datetime
) -> int:
    result = await session.execute(
        _FAN_OUT_SQL,
        {"sid": sub.id, "after": sub.position, "upto": upto, "types": sub.event_types, "now": now},
    )
    sub.position = upto
    return int(getattr(result, "rowcount", 0) or 0)


async def claim_due(
    session: AsyncSession, *, now: datetime, batch: int
) -> list[tuple[WebhookDelivery, WebhookSubscription, Event]]:
    """Lock due deliveries for this transaction, with their subscription and event."""
    ids = list((await session.scalars(_CLAIM_SQL, {"now": now, "batch": batch})).all())
    if not ids:
        return []
    rows = await session.execute(
        select(WebhookDelivery, WebhookSubscription, Event)
        .join(WebhookSubscription, WebhookSubscription.id == WebhookDelivery.subscription_id)
        .join(Event, Event.id == WebhookDelivery.event_id)
        .where(WebhookDelivery.id.in_(ids))
        .order_by(WebhookDelivery.feed_id)
    )
    return [(d, s, e) for d, s, e in rows]


async def list_subscriptions(
    session: AsyncSession, *, after: int, limit: int
) -> list[WebhookSubscription]:
    rows = await session.scalars(
        select(WebhookSubscription)
        .where(WebhookSubscription.id > after, WebhookSubscription.deleted_at.is_(None))
        .order_by(WebhookSubscription.id)
        .limit(limit)
    )
    return list(rows)


async def list_deliveries(
    session: AsyncSession,
    *,
    subscription_id: int,
    status: DeliveryStatus | None,
    before: int | None,
    limit: int,
) -> list[WebhookDelivery]:
    """Newest first."""
    stmt = select(WebhookDelivery).where(WebhookDelivery.subscription_id == subscription_id)
    if status is not None:
        stmt = stmt.where(WebhookDelivery.status == status.value)
    if before is not None:
        stmt = stmt.where(WebhookDelivery.id < before)
    rows = await session.scalars(stmt.order_by(WebhookDelivery.id.desc()).limit(limit))
    return list(rows)


async def get_delivery_for_update(
    session: AsyncSession, delivery_id: int
) -> WebhookDelivery | None:
    return (
        await session.scalars(
            select(WebhookDelivery).where(WebhookDelivery.id == delivery_id).with_for_update()
        )
    ).one_or_none()


async def backlog(session: AsyncSession) -> dict[str, int]:
    """Counts an operator watches: deliveries waiting and dead-lettered."""
    rows = await session.execute(
        select(WebhookDelivery.status, func.count())
        .where(WebhookDelivery.status != DeliveryStatus.DELIVERED.value)
        .group_by(WebhookDelivery.status)
    )
    counts = {str(status): int(n) for status, n in rows}
    unsequenced = await session.scalar(
        select(func.count()).select_from(Event).where(Event.feed_id.is_(None))
    )
    return {
        "pending": counts.get(DeliveryStatus.PENDING.value, 0),
        "dead": counts.get(DeliveryStatus.DEAD.value, 0),
        "unsequenced_events": int(unsequenced or 0),
    }


_PURGE_SQL = text(
    """
    WITH gone AS (
        SELECT d.id FROM webhook_deliveries d
        JOIN webhook_subscriptions s ON s.id = d.subscription_id AND s.deleted_at IS NOT NULL
        LIMIT :batch
        FOR UPDATE OF d SKIP LOCKED
    )
    DELETE FROM webhook_deliveries WHERE id IN (SELECT id FROM gone)
    """
)
_PURGED_SUBSCRIPTIONS_SQL = text(
    """
    DELETE FROM webhook_subscriptions s
    WHERE s.deleted_at IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.subscription_id = s.id)
    """
)


async def purge_deleted(session: AsyncSession, *, batch: int) -> int:
    """Up to `batch` deliveries of deleted subscriptions removed (a sender's are left to the
    next run), and the deleted subscriptions with none left; how many deliveries."""
    removed = int(getattr(await session.execute(_PURGE_SQL, {"batch": batch}), "rowcount", 0))
    await session.execute(_PURGED_SUBSCRIPTIONS_SQL)
    return removed
