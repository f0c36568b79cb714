"""Issue 19, item 2: deliveries cannot starve the worker. The real worker process runs two
lanes, each an arq worker with its own queue, job slots and connections: a webhook backlog
against receivers that hang or crawl fills the deliveries lane only, while the core lane keeps
the heartbeat fresh, sequences the feed and runs the deadline watch (R-9.1). Killed with SIGKILL
during the backlog and started again, the worker loses no event (delivery is at least once)."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import timedelta
from typing import Any, cast

import pytest
from sqlalchemy import select

from appeals_api import outbound
from appeals_api.clock import system_clock
from appeals_api.events.models import Event
from tests.helpers import appeal_body
from tests.helpers.webhooks import Receiver, until
from tests.helpers.worker_process import Stack, WorkerProcess, wait_for_feed_ids

pytestmark = pytest.mark.slow  # starts processes and servers of its own

# A backlog that stays due: short time-outs, a backoff under a second, no dead letters.
BACKLOG_ENV = {
    "APPEALS_WEBHOOK_TIMEOUT_SECONDS": "2",
    "APPEALS_WEBHOOK_MAX_ATTEMPTS": "100",
    "APPEALS_WATCH_INTERVAL_SECONDS": "1",
    "APPEALS_WORKER_DELIVERY_JOBS": "2",
    "APPEALS_WEBHOOK_BATCH": "2",  # 60 due, at most 20 on the wire: every run finds more
}
RESTART_GAP_SECONDS = 12.0  # a killed worker's last beat until its successor's first
FRESH_SECONDS = 5.0  # the heartbeat's age allowed with a tick of 1 s (a loaded machine included)


def backlog_worker(stack: Stack) -> WorkerProcess:
    worker = stack.worker()
    worker.env |= BACKLOG_ENV
    return worker


async def register_overdue(stack: Stack) -> uuid.UUID:
    """An appeal received 90 days ago: both its stages are past due at once."""
    received = system_clock() - timedelta(days=90)
    body = appeal_body(received_at=received.isoformat())
    r = await stack.client.post("/api/v1/appeals", json=body, headers=stack.registrar)
    assert r.status_code == 201, r.text
    return uuid.UUID(r.json()["id"])


async def overdue_published(stack: Stack, appeal_id: uuid.UUID) -> bool:
    async with stack.maker() as session:
        found = await session.scalar(
            select(Event.id).where(Event.type == "appeal.overdue", Event.appeal_id == appeal_id)
        )
    return found is not None


async def assert_fresh(stack: Stack, worker: WorkerProcess) -> None:
    """The last heartbeat is recent and the health endpoint says so."""
    health = await stack.health()
    age = health["age_seconds"]
    assert age is not None and age <= FRESH_SECONDS, f"heartbeat {age} s old; {worker.log()[-600:]}"
    assert health["status"] == "ok"


async def test_issue19_2_a_hung_receiver_backlog_leaves_heartbeat_sequencing_and_watch_running(
    stack: Stack,
):
    """Every webhook request hangs (until its 2 s time-out) and fails again within a second:
    the backlog stays due and every delivery run lasts minutes. Before the lanes, ten such runs
    took all ten of arq's job slots within ten ticks and the heartbeat, sequencing and the watch
    waited behind them; now they wait only behind each other."""
    receiver = Receiver(hold_at=1).start()
    worker = backlog_worker(stack)
    try:
        await stack.subscribe(receiver.url)
        for _ in range(60):
            await stack.register()
        started = time.monotonic()
        worker.start()
        await until(lambda: len(receiver.snapshot()) >= 10, timeout=30, what="the backlog sent")
        # Ticks enough for the backlog's runs to take all ten slots one lane had (about ten
        # ticks), and for a heartbeat left waiting behind them to grow stale.
        while time.monotonic() - started < 20:
            await assert_fresh(stack, worker)
            await asyncio.sleep(0.5)
        hits_before = len(receiver.snapshot())
        overdue = await register_overdue(stack)
        newcomer = await stack.register()
        await wait_for_feed_ids(stack, [str(overdue), newcomer], timeout=10)
        await until(lambda: overdue_published(stack, overdue), timeout=10, what="the watch")
        for _ in range(6):  # the heartbeat stays fresh while the backlog goes on
            await assert_fresh(stack, worker)
            await asyncio.sleep(0.5)
        assert len(receiver.snapshot()) > hits_before  # the deliveries lane kept working
        assert worker.alive(), worker.log()
    finally:
        assert worker.stop() == 0, worker.log()
        receiver.stop()


async def test_issue19_2_a_hung_receivers_backlog_delays_another_subscription_a_batch_at_most(
    stack: Stack,
):
    """Fair draining: a subscription whose receiver hangs has a backlog of 60 deliveries, each
    retried only a minute after it fails; a new event for another subscription goes out within
    a few seconds, not after the hung one's backlog has each been tried once (before: half a
    minute, the claim taking the oldest due deliveries first, whoever they were for)."""
    hung, quick = Receiver(hold_at=1).start(), Receiver().start()
    worker = backlog_worker(stack)
    worker.env |= {
        "APPEALS_WEBHOOK_BACKOFF_BASE_SECONDS": "60",
        "APPEALS_WEBHOOK_BACKOFF_MAX_SECONDS": "60",
    }
    try:
        await stack.subscribe(hung.url)
        for _ in range(60):
            await stack.register()
        worker.start()
        await until(lambda: len(hung.snapshot()) >= 4, timeout=30, what="the backlog under way")
        await stack.subscribe(quick.url)
        [event] = await wait_for_feed_ids(stack, [await stack.register()], timeout=10)
        await until(lambda: event in quick.ids(), timeout=10, what="the other receiver served")
        assert len(hung.snapshot()) < 40  # served while the hung backlog was still being tried
    finally:
        assert worker.stop() == 0, worker.log()
        hung.stop()
        quick.stop()


async def test_issue19_2_soak_worker_killed_in_a_backlog_keeps_heartbeat_and_watch_loses_nothing(
    stack: Stack,
):
    """The soak, bounded: two subscriptions, one crawling (0.4 s an answer) and one quick, with
    a backlog of registered appeals; the worker is killed (SIGKILL) while the backlog is being
    worked and started again. Throughout, the heartbeat stays fresh and the watch records the
    deadlines that fall due (back-dated appeals registered during the soak); in the end every
    event reached every subscription, at least once (the contract: receivers deduplicate by
    the event id), a repeat being the same event with the same body."""
    quick, crawling = Receiver().start(), Receiver(delay=0.4).start()
    workers: list[WorkerProcess] = []
    ages: list[float] = []
    watching = asyncio.create_task(watch_heartbeat(stack, ages))
    try:
        subs = [await stack.subscribe(r.url) for r in (quick, crawling)]
        appeals = [await stack.register() for _ in range(40)]
        workers.append(backlog_worker(stack).start())
        await until(lambda: len(crawling.snapshot()) >= 6, timeout=30, what="the backlog sent")
        first_due = await register_overdue(stack)
        await until(lambda: overdue_published(stack, first_due), timeout=10, what="the watch")
        await assert_fresh(stack, workers[0])
        assert len(crawling.snapshot()) < 40, "the kill must fall inside the backlog"
        workers[0].kill()

        second_due = await register_overdue(stack)
        appeals += [str(first_due), str(second_due)] + [await stack.register() for _ in range(8)]
        workers.append(backlog_worker(stack).start())
        await until(lambda: overdue_published(stack, second_due), timeout=15, what="the watch")
        expected = set(await wait_for_feed_ids(stack, appeals, timeout=15))
        for receiver in (quick, crawling):
            await until(
                lambda r=receiver: set(r.ids()) >= expected, timeout=40, what="every event sent"
            )
            await assert_fresh(stack, workers[1])
        health = await stack.health()
        assert workers[1].pid in [w["pid"] for w in health["workers"]]
        for receiver in (quick, crawling):
            bodies: dict[int, bytes] = {}
            for hit in receiver.snapshot():  # a repeat is the same event, same body
                assert bodies.setdefault(hit.event_id, hit.body) == hit.body
            assert set(bodies) == expected  # nothing lost, nothing foreign
        for sub in subs:
            await until(
                lambda s=sub: all_recorded_delivered(stack, s, len(expected)),
                timeout=15,
                what="every delivery recorded",
            )
        # Fresh throughout: the only gap is the restart's (a new process and its first tick).
        assert ages and max(ages) <= RESTART_GAP_SECONDS, max(ages)
    finally:
        watching.cancel()
        for worker in workers:
            worker.stop()
        quick.stop()
        crawling.stop()


async def watch_heartbeat(stack: Stack, ages: list[float]) -> None:
    """Sample the heartbeat's age every half second, from its first beat on."""
    while True:
        age = (await stack.health())["age_seconds"]
        if age is not None:
            ages.append(float(age))
        await asyncio.sleep(0.5)


async def test_issue19_2_a_lane_that_ends_ends_the_process_for_its_supervisor(stack: Stack):
    """Two lanes in one process must not leave a half worker running: when Redis stays away
    past the outage the worker rides out, the process exits with status 1 (its supervisor
    starts it again), not with one lane still beating the heartbeat."""
    worker = stack.worker()
    worker.env["APPEALS_WORKER_REDIS_OUTAGE_SECONDS"] = "2"
    worker.start()
    try:
        await until(lambda: _fresh_now(stack), timeout=30, what="the worker beating")
        stack.redis.stop()
        await until(lambda: not worker.alive(), timeout=40, what="the worker exiting")
        assert worker.proc is not None and worker.proc.returncode == 1, worker.log()
    finally:
        stack.redis.start()
        worker.stop()


async def _fresh_now(stack: Stack) -> bool:
    age = (await stack.health())["age_seconds"]
    return age is not None and age <= FRESH_SECONDS


async def test_issue19_2_a_delivery_run_starts_no_batch_after_its_time():
    """However much is due, a run stops starting batches once its time is up, so its job slot
    returns to the lane (arq would cancel it at the job time-out, mid-batch, otherwise)."""

    class Session:
        async def __aenter__(self) -> Session:
            return self

        async def __aexit__(self, *exc: object) -> None:
            return None

        def begin(self) -> Session:
            return self

    async def batch(session: object) -> outbound.BatchResult:
        await asyncio.sleep(0.1)  # a receiver that takes its time; more is always due
        return outbound.BatchResult(attempted=1)

    started = time.monotonic()
    sent = await outbound.drain(cast(Any, Session), batch, max_batches=1000, seconds=0.35)
    assert 1 <= sent.attempted <= 4  # started at 0, 0.1, 0.2 and 0.3 s at most; none at 0.4
    assert time.monotonic() - started < 2


async def all_recorded_delivered(stack: Stack, sub: int, count: int) -> bool:
    r = await stack.client.get(
        f"/api/v1/webhooks/{sub}/deliveries", params={"limit": 100}, headers=stack.admin
    )
    items = r.json()["items"]
    return len(items) == count and all(d["status"] == "delivered" for d in items)
