"""The worker's job of the calendar: the recomputes decree overrides left (R-3.6, issue 18)."""

from __future__ import annotations

import logging
from typing import Any

from appeals_api.calendar import recompute
from appeals_api.calendar.service import CalendarListener
from appeals_api.worker_context import context_of

logger = logging.getLogger("appeals_api.worker.calendar")

# A run stops short of the worker's job time-out; the next tick goes on from its cursor.
RUN_SECONDS = 240.0


def recompute_job(listener: CalendarListener) -> Any:
    """The job, with the appeals' deadline policy wired in by the worker (the calendar knows
    no appeals)."""

    async def recompute_calendar(ctx: dict[str, Any]) -> dict[str, int | bool]:
        """Every unfinished recompute, batch by batch; safe to run twice or killed anywhere."""
        context = context_of(ctx)
        runner = recompute.Runner(context.sessionmaker, context.settings, context.clock, listener)
        progress = await recompute.run(runner, budget=RUN_SECONDS)
        if progress.moved:
            logger.info("calendar recomputed", extra={"moved": progress.moved})
        return {"moved": progress.moved, "done": progress.done}

    return recompute_calendar
