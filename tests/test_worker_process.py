"""The real worker process (`python -m appeals_api.worker`) on a database and
a Redis of this module's own: killed with SIGKILL mid-delivery it loses no event and makes no
second event id; with Redis stopped, intake still answers and the backlog goes out once Redis
is back, from the same worker process."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from typing import Any

import pytest
import redis
from arq.connections import RedisSettings, create_pool
from arq.worker import func
from sqlalchemy import select

from appeals_api.clock import system_clock
from appeals_api.devstack import EmbeddedRedis
from appeals_api.events.models import Event
from appeals_api.worker import ResilientWorker
from tests.helpers import appeal_body
from tests.helpers.webhooks import Receiver, until
from tests.helpers.worker_process import (
    Stack,
    WorkerProcess,
    fresh,
    stale,
    wait_for_feed_ids,
)

pytestmark = pytest.mark.slow  # starts processes or servers of its own


async def test_R_9_worker_killed_mid_delivery_loses_no_event_and_makes_no_second_id(stack: Stack):
    receiver = Receiver(hold_at=8).start()  # the 8th request (and later) wait for release()
    workers: list[WorkerProcess] = []
    try:
        sub = await stack.subscribe(receiver.url)
        appeals = [await stack.register() for _ in range(30)]
        first = stack.worker().start()
        workers.append(first)
        await until(lambda: len(receiver.snapshot()) >= 8, timeout=30, what="deliveries under way")
        first.kill()  # while a batch is on the wire: its transaction dies unrecorded
        in_flight = receiver.snapshot()[7].event_id
        receiver.release()

        second = stack.worker().start()
        workers.append(second)
        expected = await stack.registered_feed_ids(appeals)
        assert len(expected) == 30 and None not in expected
        # Every event, and the unrecorded one again: the first, held send already counts it
        # among the delivered ids, so waiting for the set alone raced the resend.
        await until(
            lambda: set(receiver.ids()) >= set(expected) and receiver.ids().count(in_flight) >= 2,
            timeout=30,
            what="every event delivered, the unrecorded one again",
        )
        hits = receiver.snapshot()
        assert {h.event_id for h in hits} == set(expected)  # nothing lost, no foreign id
        assert receiver.ids().count(in_flight) >= 2  # the unrecorded one was sent again...
        first_body = {}
        for h in hits:  # ...and any repeat is the same event, same id, same body
            assert first_body.setdefault(h.event_id, h.body) == h.body
        # No second event id: still one registered event per appeal.
        assert sorted(await stack.registered_feed_ids(appeals)) == sorted(expected)

        async def recorded() -> list[dict[str, object]]:
            r = await stack.client.get(
                f"/api/v1/webhooks/{sub}/deliveries", params={"limit": 100}, headers=stack.admin
            )
            return list(r.json()["items"])

        async def all_delivered() -> bool:  # the worker records a send after its answer
            items = await recorded()
            return len(items) == 30 and all(d["status"] == "delivered" for d in items)

        await until(all_delivered, timeout=30, what="every delivery recorded as delivered")
        health = await stack.health()
        assert health["status"] == "ok"
        assert second.pid in [w["pid"] for w in health["workers"]]
        assert health["backlog"]["webhook_pending"] == 0
        await stack.client.delete(f"/api/v1/webhooks/{sub}", headers=stack.admin)
    finally:
        for w in workers:
            w.stop()
        receiver.stop()


async def test_R_1_intake_answers_while_redis_is_down_and_the_backlog_goes_out_after(stack: Stack):
    receiver = Receiver().start()
    worker = stack.worker().start()
    try:
        sub = await stack.subscribe(receiver.url)
        before = await stack.register()
        [before_id] = await wait_for_feed_ids(stack, [before])
        await until(lambda: before_id in receiver.ids(), timeout=30, what="the worker delivering")

        stack.redis.stop()
        during = [await stack.register() for _ in range(5)]  # intake does not need Redis
        await until(
            lambda: stale(stack, seconds=2), timeout=30, what="the worker stalled without Redis"
        )
        assert worker.alive(), worker.log()
        stack.redis.start()

        expected = await wait_for_feed_ids(stack, during)
        await until(
            lambda: set(receiver.ids()) >= set(expected), timeout=30, what="the backlog delivered"
        )
        assert worker.alive(), worker.log()  # the same process rode out the outage
        await until(lambda: fresh(stack), timeout=30, what="the heartbeat back")
        await stack.client.delete(f"/api/v1/webhooks/{sub}", headers=stack.admin)
    finally:
        stack.redis.start()  # no-op when it is running
        assert worker.stop() == 0, worker.log()
        receiver.stop()


async def test_R_9_1_two_worker_processes_at_once_publish_one_overdue_per_deadline(stack: Stack):
    """Two real workers, each with its own Redis database (so arq does not keep one from
    running the cron), run the deadline watch every second, on the same seconds, against one
    PostgreSQL while overdue appeals arrive: every appeal gets exactly one `appeal.overdue` per
    rule and due date."""
    base = stack.redis.url.rsplit("/", 1)[0]
    workers = [
        WorkerProcess(stack.database_url, f"{base}/{db}", stack.scratch / f"watch-{db}.log")
        for db in (1, 2)
    ]
    for w in workers:
        # Every second, on the second: the two workers' runs start together.
        w.env["APPEALS_WATCH_INTERVAL_SECONDS"] = "1"
        w.start()
    await until(
        lambda: all("watch_deadlines" in w.log() for w in workers),
        timeout=30,
        what="both workers running the watch",
    )
    received = system_clock() - timedelta(days=90)
    appeal_ids = []
    for _ in range(30):  # back-dated: both stages are long past due
        r = await stack.client.post(
            "/api/v1/appeals",
            json=appeal_body(received_at=received.isoformat()),
            headers=stack.registrar,
        )
        assert r.status_code == 201, r.text
        appeal_ids.append(uuid.UUID(r.json()["id"]))
    try:

        async def overdue() -> list[tuple[uuid.UUID, str, str]]:
            async with stack.maker() as session:
                rows = await session.execute(
                    select(Event.appeal_id, Event.data).where(
                        Event.type == "appeal.overdue", Event.appeal_id.in_(appeal_ids)
                    )
                )
                return [(r.appeal_id, r.data["rule"], r.data["due_date"]) for r in rows]

        async def all_out() -> bool:
            return len(set(await overdue())) == 2 * len(appeal_ids)

        await until(all_out, timeout=60, what="both stages' overdue notices of all 30 appeals")
        # Let both run a few more times before counting.
        await asyncio.sleep(3)
        assert all(w.alive() for w in workers), [w.log() for w in workers]
        published = await overdue()
        assert len(published) == len(set(published)) == 2 * len(appeal_ids)
        assert {rule for _, rule, _ in published} == {"registration", "answer"}
    finally:
        for w in workers:
            w.stop()


async def test_R_9_a_job_claim_cut_by_a_broken_connection_leaves_the_job_queued_and_the_worker_up(
    redis_server: EmbeddedRedis,
):
    """arq claims a job inside a WATCH; a connection that breaks there (Redis restarted, its
    pooled connections stale) is not retried but raised (WatchError after the WATCH, the error
    itself before it), which ended arq's own worker with a job slot still taken. The worker
    gives the claim up and keeps its slots: the next poll claims the job and runs it."""
    ran: list[int] = []

    async def job(ctx: dict[str, Any], n: int) -> None:
        ran.append(n)

    pool = await create_pool(RedisSettings.from_dsn(redis_server.url))  # no retries
    worker = ResilientWorker(
        functions=[func(job, name="job")], redis_pool=pool, burst=True, handle_signals=False,
        max_jobs=2, poll_delay=0.05, queue_name="claim-cut",
    )  # fmt: skip
    try:
        assert await pool.enqueue_job("job", 7, _queue_name="claim-cut") is not None
        [job_id] = await pool.zrange(worker.queue_name, 0, -1)
        slots = worker.sem._value
        killer = redis.Redis.from_url(redis_server.url)
        try:  # every connection of the pool is cut; the queue stays
            assert killer.client_kill_filter(_type="normal", skipme=True) >= 1
        finally:
            killer.close()
        await worker.start_jobs([job_id])  # arq's Worker raised WatchError here
        assert (worker.job_counter, worker.sem._value) == (0, slots)  # no slot lost
        assert await pool.zrange(worker.queue_name, 0, -1) == [job_id]  # still queued
        await worker.main()  # a burst run: claims it now and runs it
        assert ran == [7]
    finally:
        await pool.aclose()  # the worker's own close() calls redis' deprecated close()
