"""arq worker: jobs and cron, each a thin call into a domain. PostgreSQL is the source of truth.

Redis only schedules: every job reads its work from PostgreSQL, so a lost Redis, a worker killed
mid-job or two workers at once cost time, never an event. The worker rides out a Redis outage
(its commands are retried for `worker_redis_outage_seconds`) and goes on where it stopped.
"""

from __future__ import annotations

import dataclasses
import logging
import logging.config
import os
import socket
import uuid
from datetime import timedelta
from typing import Any, ClassVar, cast

from arq import cron
from arq.connections import RedisSettings
from arq.logs import default_log_config
from arq.worker import Worker, get_kwargs
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy import delete

from appeals_api import outbound
from appeals_api.appeals import deadlines
from appeals_api.appeals.models import IdempotencyRecord
from appeals_api.appeals.search import repository as search_repository
from appeals_api.calendar.tasks import recompute_job
from appeals_api.clock import system_clock
from appeals_api.config import Settings, get_settings
from appeals_api.control.tasks import watch_deadlines
from appeals_api.db import make_engine, make_sessionmaker
from appeals_api.directum.tasks import deliver_directum
from appeals_api.events import service as events_service
from appeals_api.events.tasks import deliver_webhooks
from appeals_api.notices.tasks import deliver_notices
from appeals_api.ops import jsonlog
from appeals_api.ops.tasks import heartbeat
from appeals_api.worker_context import WorkerContext, WorkerIdentity, context_of

logger = logging.getLogger("appeals_api.worker")

REDIS_RETRY_CAP_SECONDS = 1.0
SEARCH_BATCH = 2000  # feed positions looked at per run for new appeals (a run every tick)
# R-3.6 (issue 18): the recomputes decree overrides left, with the appeals' deadline policy.
recompute_calendar = recompute_job(deadlines.on_calendar_change)


async def startup(ctx: dict[str, Any]) -> None:
    jsonlog.configure()
    # httpx logs every request line at INFO: receivers' URLs may carry tokens, so not those.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    settings = get_settings()
    engine = make_engine(settings)
    identity = WorkerIdentity(
        worker_id=f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}",
        hostname=socket.gethostname(),
        pid=os.getpid(),
        started_at=system_clock(),
    )
    WorkerContext(
        settings=settings,
        clock=system_clock,
        sessionmaker=make_sessionmaker(engine),
        http=outbound.make_client(),
        engine=engine,
        identity=identity,
    ).into(ctx)
    directum = "configured" if settings.directum_url else "internal"
    logger.info("worker started", extra={"worker_id": identity.worker_id, "directum": directum})


async def shutdown(ctx: dict[str, Any]) -> None:
    context = context_of(ctx)
    await context.http.aclose()
    if context.engine is not None:
        await context.engine.dispose()
    worker_id = context.identity.worker_id if context.identity else None
    logger.info("worker stopped", extra={"worker_id": worker_id})


async def sequence_events(ctx: dict[str, Any]) -> int:
    """Give committed outbox events their feed position (idempotent: numbers only the new)."""
    async with context_of(ctx).sessionmaker() as session, session.begin():
        count = await events_service.sequence_pending(session)
    if count:
        logger.info("sequenced events", extra={"count": count})
    return count


async def refresh_search(ctx: dict[str, Any]) -> int:
    """Build the search rows of the appeals registered since the last run (issue 15), from the
    feed's `appeal.registered` events."""
    async with context_of(ctx).sessionmaker() as session, session.begin():
        return await search_repository.index_registered(session, batch=SEARCH_BATCH)


async def purge_idempotency_keys(ctx: dict[str, Any]) -> int:
    """Forget stored first answers after the retention period (they hold tracking codes)."""
    context = context_of(ctx)
    cutoff = context.clock() - timedelta(hours=context.settings.idempotency_retention_hours)
    async with context.sessionmaker() as session, session.begin():
        result = await session.execute(
            delete(IdempotencyRecord).where(IdempotencyRecord.created_at < cutoff)
        )
    return int(getattr(result, "rowcount", 0) or 0)


def make_redis_settings(settings: Settings) -> RedisSettings:
    """Redis with its commands retried through an outage (arq alone would exit on the first
    connection error of its poll loop)."""
    retries = max(1, int(settings.worker_redis_outage_seconds / REDIS_RETRY_CAP_SECONDS))
    return dataclasses.replace(
        RedisSettings.from_dsn(settings.redis_url),
        retry_on_error=[RedisConnectionError, RedisTimeoutError, OSError],
        retry=Retry(ExponentialBackoff(cap=REDIS_RETRY_CAP_SECONDS, base=0.05), retries),
    )


def _every(seconds: int) -> set[int]:
    return set(range(0, 60, seconds))


_TICK = _every(get_settings().worker_tick_seconds)
# The deadline watch: once a minute by default, at second 30.
_WATCH = (
    {30}
    if get_settings().watch_interval_seconds >= 60
    else _every(get_settings().watch_interval_seconds)
)


class WorkerSettings:
    functions: ClassVar[list[Any]] = [
        sequence_events,
        refresh_search,
        purge_idempotency_keys,
        watch_deadlines,
        recompute_calendar,
        deliver_webhooks,
        deliver_directum,
        deliver_notices,
        heartbeat,
    ]
    cron_jobs: ClassVar[list[Any]] = [
        cron(sequence_events, second=_every(5), run_at_startup=True, unique=True),
        cron(purge_idempotency_keys, minute={7}, second={0}, unique=True),
        # Issue 15: new appeals become searchable within a tick.
        cron(refresh_search, second=_TICK, run_at_startup=True, unique=True),
        # every minute; each run publishes only what has not been published.
        cron(watch_deadlines, second=_WATCH, run_at_startup=True, unique=True),
        # what a decree override left to recompute, every tick until done.
        cron(recompute_calendar, second=_TICK, run_at_startup=True, unique=True),
        # Every tick: webhooks and DIRECTUM send what is due; the heartbeat is written.
        cron(deliver_webhooks, second=_TICK, run_at_startup=True, unique=True),
        cron(deliver_directum, second=_TICK, run_at_startup=True, unique=True),
        # R-8.4: the applicants' notices by e-mail and SMS, made from the feed and sent.
        cron(deliver_notices, second=_TICK, run_at_startup=True, unique=True),
        cron(heartbeat, second=_TICK, run_at_startup=True, unique=True),
    ]
    on_startup = startup
    on_shutdown = shutdown
    redis_settings = make_redis_settings(get_settings())
    max_jobs = 10
    job_timeout = 300
    # Results only need to outlive the cron window that dedupes a tick across workers.
    keep_result = 300


class ResilientWorker(Worker):
    """arq's worker, which survives a Redis command failing while it claims a job.

    arq claims a job inside a WATCH; when the connection breaks there (Redis restarted, its pooled
    connections stale), redis-py raises `WatchError` instead of retrying, and arq lets that end
    the process, with the job slot it had taken still counted. Here the claim is given up and the
    slot returned: the job stays queued and the next poll claims it again.
    """

    async def start_jobs(self, job_ids: list[bytes]) -> None:
        for job_id in job_ids:
            taken = self.job_counter
            try:
                await super().start_jobs([job_id])
            except RedisError as error:
                if self.job_counter > taken:  # the slot arq took before the failure
                    self.job_counter -= 1
                    self.sem.release()
                logger.warning(
                    "claiming a job failed; it stays queued",
                    extra={"job_id": job_id.decode(), "error": type(error).__name__},
                )
                return


def main() -> None:
    """`python -m appeals_api.worker`: the worker as `arq appeals_api.worker.WorkerSettings`
    would run it (arq's log lines included), with the claim of a job surviving a Redis restart."""
    logging.config.dictConfig(default_log_config(verbose=False))
    kwargs: dict[str, Any] = get_kwargs(cast(Any, WorkerSettings))
    ResilientWorker(**kwargs).run()


if __name__ == "__main__":
    main()
