"""Worker jobs of the events domain: thin calls into the services, one transaction each."""

from __future__ import annotations

import logging
from typing import Any

from appeals_api import outbound
from appeals_api.events import service as events_service
from appeals_api.events import webhook_service
from appeals_api.worker_context import WorkerContext, context_of

logger = logging.getLogger("appeals_api.worker.webhooks")

# One run sends at most this many batches; the next tick goes on with the rest.
MAX_BATCHES_PER_RUN = 200


async def fan_out_webhooks(ctx: dict[str, Any]) -> dict[str, int]:
    """The core lane's part (issue 19): sequence the outbox, fan new events out to the
    subscriptions and purge deleted ones' deliveries, sending nothing, so new deliveries are
    due at once even while every delivery run is busy with a backlog."""
    made, purged = await _fan_out(context_of(ctx))
    return {"fanned_out": made, "purged": purged}


async def deliver_webhooks(ctx: dict[str, Any]) -> dict[str, int]:
    """Fan out what is new (as the core lane does), then send what is due.

    Safe to run twice or at once on several workers: fan-out is idempotent per (subscription,
    event) and each delivery is claimed by one sender at a time.
    """
    context = context_of(ctx)
    made, purged = await _fan_out(context)
    sent = await outbound.drain(
        context.sessionmaker,
        lambda session: webhook_service.deliver_batch(
            session, context.http, context.settings, clock=context.clock
        ),
        max_batches=MAX_BATCHES_PER_RUN,
    )
    result = {"fanned_out": made, "attempted": sent.attempted, "delivered": sent.delivered}
    if purged:
        result["purged"] = purged
    if made or sent.attempted or purged:
        logger.info("webhook run", extra=result)
    return result


async def _fan_out(context: WorkerContext) -> tuple[int, int]:
    clock, maker = context.clock, context.sessionmaker
    async with maker() as session, session.begin():
        await events_service.sequence_pending(session)
    async with maker() as session, session.begin():
        made = await webhook_service.fan_out(session, now=clock())
    async with maker() as session, session.begin():
        purged = await webhook_service.purge_deleted(session)
    return made, purged
