"""arq worker: jobs and cron, each a thin call into a domain. PostgreSQL is the source of truth.

Redis only schedules: every job reads its work from PostgreSQL, so a lost Redis, a worker killed
mid-job or two workers at once cost time, never an event. The worker rides out a Redis outage
(its commands are retried for `worker_redis_outage_seconds`) and goes on where it stopped.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import logging
import logging.config
import os
import signal
import socket
import sys
import uuid
from collections.abc import Awaitable, Callable
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
from appeals_api.directum.tasks import deliver_directum, queue_directum
from appeals_api.events import service as events_service
from appeals_api.events.tasks import deliver_webhooks, fan_out_webhooks
from appeals_api.notices.tasks import deliver_notices, queue_notices
from appeals_api.ops import jsonlog
from appeals_api.ops.tasks import heartbeat
from appeals_api.worker_context import WorkerContext, WorkerIdentity, context_of

logger = logging.getLogger("appeals_api.worker")

REDIS_RETRY_CAP_SECONDS = 1.0
# Issue 19: two lanes, each an arq worker with its own queue and job slots.
CORE, DELIVERIES = "core", "deliveries"
CORE_QUEUE = "arq:queue"  # arq's default: what an earlier version queued still runs
DELIVERIES_QUEUE = "arq:queue:deliveries"
SEARCH_BATCH = 2000  # feed positions looked at per run for new appeals (a run every tick)
# R-3.6 (issue 18): the recomputes decree overrides left, with the appeals' deadline policy.
recompute_calendar = recompute_job(deadlines.on_calendar_change)


@functools.cache
def process_identity() -> WorkerIdentity:
    """This process, as its heartbeat names it: one identity for both lanes."""
    return WorkerIdentity(
        worker_id=f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}",
        hostname=socket.gethostname(),
        pid=os.getpid(),
        started_at=system_clock(),
    )


def lane_settings(settings: Settings, lane: str) -> Settings:
    """Each lane has its own engine: the deliveries lane's holds at most one connection per job
    slot, taken from the core lane's overflow, so a backlog cannot take the core lane's
    connections and the process needs no more than before (README, "Several processes")."""
    jobs = settings.worker_delivery_jobs
    if lane == DELIVERIES:
        return settings.model_copy(update={"db_pool_size": jobs, "db_max_overflow": 0})
    return settings.model_copy(update={"db_max_overflow": max(0, settings.db_max_overflow - jobs)})


def startup_of(lane: str) -> Callable[[dict[str, Any]], Awaitable[None]]:
    async def startup(ctx: dict[str, Any]) -> None:
        jsonlog.configure()
        # httpx logs every request line at INFO: receivers' URLs may carry tokens, so not those.
        logging.getLogger("httpx").setLevel(logging.WARNING)
        settings = get_settings()
        engine = make_engine(lane_settings(settings, lane))
        identity = process_identity()
        WorkerContext(
            settings=settings,
            clock=system_clock,
            sessionmaker=make_sessionmaker(engine),
            http=outbound.make_client(),
            engine=engine,
            identity=identity,
        ).into(ctx)
        directum = "configured" if settings.directum_url else "internal"
        extra = {"worker_id": identity.worker_id, "lane": lane, "directum": directum}
        logger.info("worker started", extra=extra)

    return startup


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
    """The core lane: the clock-driven and bookkeeping jobs, on arq's default queue. Nothing
    here waits on a remote party, so its slots are always free for the next tick (issue 19)."""

    functions: ClassVar[list[Any]] = [
        sequence_events,
        refresh_search,
        purge_idempotency_keys,
        watch_deadlines,
        recompute_calendar,
        fan_out_webhooks,
        queue_directum,
        queue_notices,
        heartbeat,
    ]
    cron_jobs: ClassVar[list[Any]] = [
        # Every tick (5 s by default): the feed does not wait for a delivery run to number it.
        cron(sequence_events, second=_TICK, run_at_startup=True, unique=True),
        cron(purge_idempotency_keys, minute={7}, second={0}, unique=True),
        # Issue 15: new appeals become searchable within a tick.
        cron(refresh_search, second=_TICK, run_at_startup=True, unique=True),
        # every minute; each run publishes only what has not been published.
        cron(watch_deadlines, second=_WATCH, run_at_startup=True, unique=True),
        # what a decree override left to recompute, every tick until done.
        cron(recompute_calendar, second=_TICK, run_at_startup=True, unique=True),
        # Every tick, the deliveries lane's bookkeeping (database only): new events fanned out
        # to webhooks, new dispatches and notices made, due for its next batch.
        cron(fan_out_webhooks, second=_TICK, run_at_startup=True, unique=True),
        cron(queue_directum, second=_TICK, run_at_startup=True, unique=True),
        cron(queue_notices, second=_TICK, run_at_startup=True, unique=True),
        # Every tick the heartbeat is written.
        cron(heartbeat, second=_TICK, run_at_startup=True, unique=True),
    ]
    queue_name = CORE_QUEUE
    on_startup = startup_of(CORE)
    on_shutdown = shutdown
    redis_settings = make_redis_settings(get_settings())
    max_jobs = 10
    job_timeout = 300
    # Results only need to outlive the cron window that dedupes a tick across workers.
    keep_result = 300


class DeliverySettings:
    """The deliveries lane: everything that waits on a remote party (webhooks, DIRECTUM R-4.2,
    the applicants' notices R-8.4), on its own queue with its own job slots, engine and HTTP
    client. A backlog or a hung receiver fills these slots only."""

    functions: ClassVar[list[Any]] = [deliver_webhooks, deliver_directum, deliver_notices]
    cron_jobs: ClassVar[list[Any]] = [
        # Every tick: webhooks and DIRECTUM send what is due.
        cron(deliver_webhooks, second=_TICK, run_at_startup=True, unique=True),
        cron(deliver_directum, second=_TICK, run_at_startup=True, unique=True),
        # R-8.4: the applicants' notices by e-mail and SMS, made from the feed and sent.
        cron(deliver_notices, second=_TICK, run_at_startup=True, unique=True),
    ]
    queue_name = DELIVERIES_QUEUE
    on_startup = startup_of(DELIVERIES)
    on_shutdown = shutdown
    redis_settings = make_redis_settings(get_settings())
    max_jobs = get_settings().worker_delivery_jobs
    job_timeout = 300  # a run stops starting batches after `outbound.RUN_SECONDS`
    keep_result = 300


LANES: dict[str, type] = {CORE: WorkerSettings, DELIVERIES: DeliverySettings}


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


def _kwargs(lane: str) -> dict[str, Any]:
    kwargs: dict[str, Any] = get_kwargs(cast(Any, LANES[lane]))
    return kwargs


async def run_lanes(lanes: list[str]) -> int:
    """Both lanes in this process, each an arq worker of its own, until SIGTERM/SIGINT (0) or a
    lane ends by itself (1: the process exits, for its supervisor to start it again)."""
    workers = [ResilientWorker(**_kwargs(lane), handle_signals=False) for lane in lanes]
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    tasks = [asyncio.create_task(worker.main()) for worker in workers]
    for worker, task in zip(workers, tasks, strict=True):
        worker.main_task = task
    stopping = asyncio.create_task(stop.wait())
    await asyncio.wait([*tasks, stopping], return_when=asyncio.FIRST_COMPLETED)
    ended = [t for t in tasks if t.done() and not t.cancelled()]
    for task in ended:
        if (error := task.exception()) is not None:
            logger.error("a worker lane ended", exc_info=error)
    stopping.cancel()
    for worker in workers:  # cancels its jobs and its loop; close() waits for them
        try:
            await worker.close()
        except (asyncio.CancelledError, RedisError, OSError) as error:  # Redis gone: exit anyway
            logger.warning("a worker lane closed uncleanly", extra={"error": type(error).__name__})
    await asyncio.gather(*tasks, return_exceptions=True)
    return 1 if ended and not stop.is_set() else 0


def main() -> None:
    """`python -m appeals_api.worker`: both lanes (core, deliveries) in one process, as
    `arq appeals_api.worker.WorkerSettings` and `…DeliverySettings` would run them (arq's log
    lines included), with the claim of a job surviving a Redis restart."""
    logging.config.dictConfig(default_log_config(verbose=False))
    sys.exit(asyncio.run(run_lanes([CORE, DELIVERIES])))


if __name__ == "__main__":
    main()
