"""Worker jobs of the control domain: thin calls into the service, one transaction each."""

from __future__ import annotations

import logging
from typing import Any

from appeals_api.control import service
from appeals_api.worker_context import context_of

logger = logging.getLogger("appeals_api.worker.control")


async def watch_deadlines(ctx: dict[str, Any]) -> dict[str, int]:
    """R-9.1: one run of the deadline watch; safe to run twice or at once on two workers."""
    context = context_of(ctx)
    async with context.sessionmaker() as session, session.begin():
        result = await service.watch(session, context.settings, now=context.clock())
    if result.overdue or result.approaching:
        logger.info(
            "deadline watch published",
            extra={"overdue": result.overdue, "approaching": result.approaching},
        )
    return {"overdue": result.overdue, "approaching": result.approaching}
