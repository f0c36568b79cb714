"""Worker jobs of the DIRECTUM domain: thin calls into the service, one transaction each."""

from __future__ import annotations

from typing import Any

from appeals_api.clock import Clock, system_clock
from appeals_api.directum import service

MAX_BATCHES_PER_RUN = 100


async def deliver_directum(ctx: dict[str, Any]) -> dict[str, int]:
    """R-4.2: send due dispatches to DIRECTUM; safe to run twice or on several workers at once."""
    settings = ctx["settings"]
    if settings.directum_url is None:
        return {"attempted": 0, "delivered": 0}
    clock: Clock = ctx.get("clock", system_clock)
    attempted = delivered = 0
    for _ in range(MAX_BATCHES_PER_RUN):
        async with ctx["sessionmaker"]() as session, session.begin():
            batch = await service.deliver_batch(session, ctx["http"], settings, clock=clock)
        attempted += batch.attempted
        delivered += batch.delivered
        if batch.attempted == 0:
            break
    return {"attempted": attempted, "delivered": delivered}
