"""Worker jobs of the DIRECTUM domain: thin calls into the services, one transaction each."""

from __future__ import annotations

from typing import Any

from appeals_api import outbound
from appeals_api.directum import feed, service
from appeals_api.events import service as events_service
from appeals_api.worker_context import WorkerContext, context_of

MAX_BATCHES_PER_RUN = 100


async def queue_directum(ctx: dict[str, Any]) -> int:
    """The core lane's part (issue 19): new dispatches from the outbox, sending nothing, so a
    dispatch is recorded within a tick even while the deliveries lane is busy."""
    return await _queue(context_of(ctx))


async def deliver_directum(ctx: dict[str, Any]) -> dict[str, int]:
    """R-4.2: take new dispatches from the outbox, then send the due ones to DIRECTUM.

    Safe to run twice or on several workers at once: the feed cursor is moved by one worker at
    a time, a resolution has one dispatch, and each dispatch is claimed by one sender at a time.
    """
    context = context_of(ctx)
    settings, clock, maker = context.settings, context.clock, context.sessionmaker
    queued = await _queue(context)
    sent = outbound.BatchResult()
    if settings.directum_url is not None:
        sent = await outbound.drain(
            maker,
            lambda session: service.deliver_batch(session, context.http, settings, clock=clock),
            max_batches=MAX_BATCHES_PER_RUN,
        )
    return {"queued": queued, "attempted": sent.attempted, "delivered": sent.delivered}


async def _queue(context: WorkerContext) -> int:
    # Sequenced here too (not only by its own cron), so a dispatch leaves within a tick.
    async with context.sessionmaker() as session, session.begin():
        await events_service.sequence_pending(session)
    async with context.sessionmaker() as session, session.begin():
        return await feed.queue_dispatched(session, now=context.clock())
