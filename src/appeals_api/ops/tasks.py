"""Worker jobs of operations: the heartbeat."""

from __future__ import annotations

from typing import Any

from appeals_api.clock import Clock, system_clock
from appeals_api.ops import service


async def heartbeat(ctx: dict[str, Any]) -> None:
    """Record that this worker is alive (GET /api/v1/worker/health shows the last beat)."""
    clock: Clock = ctx.get("clock", system_clock)
    identity = ctx["identity"]
    async with ctx["sessionmaker"]() as session, session.begin():
        await service.beat(session, now=clock(), **identity)
