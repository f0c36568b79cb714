"""Worker job of the notices domain: a thin call into the services, one transaction each."""

from __future__ import annotations

from typing import Any

from appeals_api import outbound
from appeals_api.events import service as events_service
from appeals_api.notices import feed, service
from appeals_api.worker_context import WorkerContext, context_of

MAX_BATCHES_PER_RUN = 100


async def queue_notices(ctx: dict[str, Any]) -> int:
    """The core lane's part (issue 19): the notices of new events, sending nothing, so they
    are made within a tick even while the deliveries lane is busy."""
    return await _queue(context_of(ctx))


async def deliver_notices(ctx: dict[str, Any]) -> dict[str, int]:
    """R-8.4: make the notices of new events, then send the due ones by e-mail and SMS.

    Safe to run twice or on several workers at once: the feed cursor is moved by one worker at
    a time, an event has one notice per channel, and each notice is claimed by one sender."""
    context = context_of(ctx)
    settings, clock = context.settings, context.clock
    queued = await _queue(context)
    sent = await outbound.drain(
        context.sessionmaker,
        lambda session: service.deliver_batch(session, context.http, settings, clock=clock),
        max_batches=MAX_BATCHES_PER_RUN,
    )
    return {"queued": queued, "attempted": sent.attempted, "delivered": sent.delivered}


async def _queue(context: WorkerContext) -> int:
    async with context.sessionmaker() as session, session.begin():
        await events_service.sequence_pending(session)
    async with context.sessionmaker() as session, session.begin():
        return await feed.queue_notices(session, context.settings, now=context.clock())
