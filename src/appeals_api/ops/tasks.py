"""Worker jobs of operations: the heartbeat."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from appeals_api.ops import service
from appeals_api.worker_context import context_of


async def heartbeat(ctx: dict[str, Any]) -> None:
    """Record that this worker is alive (GET /api/v1/worker/health shows the last beat)."""
    context = context_of(ctx)
    assert context.identity is not None  # the worker's start-up names itself
    async with context.sessionmaker() as session, session.begin():
        await service.beat(session, now=context.clock(), **asdict(context.identity))
