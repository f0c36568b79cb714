"""arq worker: jobs and cron, each a thin call into a domain. PostgreSQL is the source of truth."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any, ClassVar

from arq import cron
from arq.connections import RedisSettings
from sqlalchemy import delete

from appeals_api.appeals.models import IdempotencyRecord
from appeals_api.clock import system_clock
from appeals_api.config import get_settings
from appeals_api.control.tasks import watch_deadlines
from appeals_api.db import make_engine, make_sessionmaker
from appeals_api.events import service as events_service

logger = logging.getLogger("appeals_api.worker")


async def startup(ctx: dict[str, Any]) -> None:
    settings = get_settings()
    ctx["settings"] = settings
    ctx["engine"] = make_engine(settings)
    ctx["sessionmaker"] = make_sessionmaker(ctx["engine"])
    logger.info("worker started")


async def shutdown(ctx: dict[str, Any]) -> None:
    await ctx["engine"].dispose()
    logger.info("worker stopped")


async def sequence_events(ctx: dict[str, Any]) -> int:
    """Give committed outbox events their feed position (idempotent: numbers only the new)."""
    async with ctx["sessionmaker"]() as session, session.begin():
        count = await events_service.sequence_pending(session)
    if count:
        logger.info("sequenced events", extra={"count": count})
    return count


async def purge_idempotency_keys(ctx: dict[str, Any]) -> int:
    """Forget stored first answers after the retention period (they hold tracking codes)."""
    settings = ctx["settings"]
    cutoff = system_clock() - timedelta(hours=settings.idempotency_retention_hours)
    async with ctx["sessionmaker"]() as session, session.begin():
        result = await session.execute(
            delete(IdempotencyRecord).where(IdempotencyRecord.created_at < cutoff)
        )
    return int(getattr(result, "rowcount", 0) or 0)


class WorkerSettings:
    functions: ClassVar[list[Any]] = [sequence_events, purge_idempotency_keys, watch_deadlines]
    cron_jobs: ClassVar[list[Any]] = [
        cron(sequence_events, second=set(range(0, 60, 5)), run_at_startup=True, unique=True),
        cron(purge_idempotency_keys, minute={7}, second={0}, unique=True),
        # every minute; each run publishes only what has not been published.
        cron(watch_deadlines, second={30}, run_at_startup=True, unique=True),
    ]
    on_startup = startup
    on_shutdown = shutdown
    redis_settings = RedisSettings.from_dsn(get_settings().redis_url)
    max_jobs = 10
    job_timeout = 300
