"""Webhooks: subscriptions (admin), fan-out from the sequenced feed, signed delivery with
retries, dead letters and redelivery, each appeal's events in feed order.

Sending holds the claimed rows locked (FOR UPDATE SKIP LOCKED) until the attempt is recorded:
two senders never send the same delivery at once, and a sender that dies mid-way releases its
rows with its connection, so they are sent again later, with the same event id (receivers
dedupe by X-Appeals-Event-Id). Delivery is at least once, never with a second id.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from appeals_api import outbound
from appeals_api.auth.roles import Principal
from appeals_api.clock import Clock
from appeals_api.config import Settings
from appeals_api.errors import FieldError, NotFound, Unprocessable
from appeals_api.events import repository as events_repository
from appeals_api.events import service as events_service
from appeals_api.events import signing, targets
from appeals_api.events import webhook_repository as repository
from appeals_api.events.models import Event
from appeals_api.events.schemas import EventRead
from appeals_api.events.webhook_models import DeliveryStatus, WebhookDelivery, WebhookSubscription
from appeals_api.events.webhook_schemas import WebhookCreate
from appeals_api.rows import from_row

logger = logging.getLogger("appeals_api.webhooks")

FAN_OUT_BATCH = 10_000


async def create_subscription(
    session: AsyncSession,
    settings: Settings,
    *,
    data: WebhookCreate,
    principal: Principal,
    now: datetime,
) -> WebhookSubscription:
    """A new receiver gets every event committed after it was made, none before; never one
    inside this network unless its network is allowed (`targets`)."""
    if (why := await targets.refused(data.url, settings.webhook_allowed_networks)) is not None:
        raise Unprocessable(
            f"The webhook's target is refused: {why}.",
            [FieldError(field="url", message=why, type="target_not_allowed")],
        )
    await events_service.sequence_pending(session)
    sub = WebhookSubscription(
        url=data.url,
        secret=data.secret.get_secret_value(),
        event_types=sorted(set(data.event_types)),
        description=data.description,
        position=await events_repository.feed_head(session),
        created_at=now,
        created_by=principal.label,
    )
    session.add(sub)
    await session.flush()
    logger.info("webhook subscription created", extra={"subscription_id": sub.id})
    return sub


async def get_subscription(session: AsyncSession, subscription_id: int) -> WebhookSubscription:
    sub = await session.get(WebhookSubscription, subscription_id)
    if sub is None or sub.deleted_at is not None:
        raise NotFound("No such webhook subscription.")
    return sub


async def list_subscriptions(
    session: AsyncSession, *, after: int, limit: int
) -> list[WebhookSubscription]:
    return await repository.list_subscriptions(session, after=after, limit=limit)


async def delete_subscription(session: AsyncSession, subscription_id: int, now: datetime) -> None:
    """Deleting a subscription stops its deliveries at once; the worker forgets them
    (`purge_deleted`): deleting a backlog here waited for every delivery a sender held."""
    sub = await get_subscription(session, subscription_id)
    sub.deleted_at = now
    await session.flush()
    logger.info("webhook subscription deleted", extra={"subscription_id": subscription_id})


async def purge_deleted(session: AsyncSession, *, batch: int = 5000) -> int:
    """The deliveries of deleted subscriptions, a batch at a time, then those subscriptions."""
    return await repository.purge_deleted(session, batch=batch)


async def list_deliveries(
    session: AsyncSession, *, subscription_id: int, **page: Any
) -> list[WebhookDelivery]:
    """A subscription's deliveries, newest first (404 for no such subscription); `page` is
    `webhook_repository.list_deliveries`' filter and bounds (status, before, limit)."""
    await get_subscription(session, subscription_id)
    return await repository.list_deliveries(session, subscription_id=subscription_id, **page)


async def redeliver(session: AsyncSession, *, delivery_id: int, now: datetime) -> WebhookDelivery:
    """Send a delivery again now, with a fresh budget of attempts (a dead letter, or any other)."""
    delivery = await repository.get_delivery_for_update(session, delivery_id)
    if delivery is None:
        raise NotFound("No such webhook delivery.")
    delivery.status = DeliveryStatus.PENDING.value
    delivery.attempts = 0
    delivery.next_attempt_at = now
    delivery.delivered_at = None
    await session.flush()
    logger.info(
        "webhook redelivery requested",
        extra={"delivery_id": delivery.id, "subscription_id": delivery.subscription_id},
    )
    return delivery


async def fan_out(session: AsyncSession, *, now: datetime, batch: int = FAN_OUT_BATCH) -> int:
    """Make the delivery rows of newly sequenced events, once per subscription and event."""
    subs = await repository.lock_subscriptions(session)
    if not subs:
        return 0
    head = await events_repository.feed_head(session)
    made = 0
    for sub in subs:
        if sub.position < head:
            made += await repository.fan_out(
                session, sub, upto=min(head, sub.position + batch), now=now
            )
    await session.flush()
    return made


def body_of(event: Event) -> bytes:
    """The event exactly as GET /api/v1/events serves it: its id is the feed position."""
    assert event.feed_id is not None  # only sequenced events are fanned out
    return from_row(EventRead, event, id=event.feed_id).model_dump_json().encode()


LANE: outbound.Lane[WebhookDelivery] = outbound.Lane(
    logger=logger,
    statuses={
        outbound.Verdict.DELIVERED: DeliveryStatus.DELIVERED.value,
        outbound.Verdict.RETRY: DeliveryStatus.PENDING.value,
        outbound.Verdict.DEAD: DeliveryStatus.DEAD.value,
    },
    messages={
        outbound.Verdict.DELIVERED: "webhook delivered",
        outbound.Verdict.RETRY: "webhook attempt failed",
        outbound.Verdict.DEAD: "webhook dead-lettered",
    },
    log_fields=lambda d: {
        "delivery_id": d.id,
        "subscription_id": d.subscription_id,
        "event_id": d.feed_id,
        "event_type": d.event_type,
    },
)


def retry_policy(settings: Settings) -> outbound.RetryPolicy:
    """Backoff between attempts, and a dead letter after the last one."""
    return outbound.RetryPolicy(
        base=settings.webhook_backoff_base_seconds,
        cap=settings.webhook_backoff_max_seconds,
        max_attempts=settings.webhook_max_attempts,
    )


async def deliver_batch(
    session: AsyncSession, client: httpx.AsyncClient, settings: Settings, *, clock: Clock
) -> outbound.BatchResult:
    """Claim due deliveries, send them at once, record each outcome (retry, dead letter)."""
    claimed = await repository.claim_due(session, now=clock(), batch=settings.webhook_batch)

    async def send(item: tuple[WebhookDelivery, WebhookSubscription, Event]) -> outbound.Outcome:
        return await _send(client, settings, *item, clock)

    return await outbound.deliver_batch(
        session,
        claimed=claimed,
        row=lambda item: item[0],
        send=send,
        lane=LANE,
        policy=retry_policy(settings),
        clock=clock,
    )


async def _send(
    client: httpx.AsyncClient,
    settings: Settings,
    delivery: WebhookDelivery,
    sub: WebhookSubscription,
    event: Event,
    clock: Clock,
) -> outbound.Outcome:
    if (why := await targets.refused(sub.url, settings.webhook_allowed_networks)) is not None:
        # Resolved again at each delivery: a name may have been pointed inside since.
        return outbound.Outcome(ok=False, status_code=None, error=f"target refused: {why}")
    body = body_of(event)
    headers = {
        "Content-Type": "application/json",
        signing.SIGNATURE_HEADER: signing.signature(sub.secret, int(clock().timestamp()), body),
        signing.EVENT_ID_HEADER: str(delivery.feed_id),
        signing.EVENT_TYPE_HEADER: delivery.event_type,
        signing.DELIVERY_ID_HEADER: str(delivery.id),
    }
    return await outbound.post(
        client, sub.url, body=body, headers=headers, seconds=settings.webhook_timeout_seconds
    )


async def backlog(session: AsyncSession) -> dict[str, int]:
    """Unsequenced events, and deliveries pending or dead-lettered (for operators)."""
    return await repository.backlog(session)
