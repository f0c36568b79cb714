"""Webhooks (API.md events; R-9 notices reach subscribers): signed deliveries from the sequenced
outbox to a real local HTTP receiver, retries with backoff, dead letters and redelivery, each
appeal's events in order, and one sender per delivery however many run at once."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
import pytest_asyncio

from appeals_api import outbound
from appeals_api.auth.roles import Role
from appeals_api.config import Settings
from appeals_api.events import service as events_service
from appeals_api.events import signing, webhook_service
from appeals_api.events.tasks import deliver_webhooks
from appeals_api.worker_context import WorkerContext
from tests.helpers import TEST_UNIT, appeal_body, auth
from tests.helpers.apps import app_client
from tests.helpers.webhooks import SECRET, Hit, Receiver


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver().start()
    yield r
    r.stop()


@pytest_asyncio.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with outbound.make_client() as c:
        yield c


@pytest_asyncio.fixture
async def subscribe(client, keys) -> AsyncIterator[Callable[..., Awaitable[dict[str, Any]]]]:
    """Subscribe receivers; every subscription is deleted after the test."""
    made: list[int] = []

    async def _subscribe(url: str, **extra: Any) -> dict[str, Any]:
        r = await client.post(
            "/api/v1/webhooks",
            json={"url": url, "secret": SECRET, **extra},
            headers=auth(keys[Role.ADMIN]),
        )
        assert r.status_code == 201, r.text
        made.append(r.json()["id"])
        return r.json()

    yield _subscribe
    for sub_id in made:
        await client.delete(f"/api/v1/webhooks/{sub_id}", headers=auth(keys[Role.ADMIN]))


def runner(app, settings: Settings, http: httpx.AsyncClient, clock, **overrides: Any):
    ctx = WorkerContext(
        settings=settings.model_copy(update=overrides),
        clock=clock,
        sessionmaker=app.state.sessionmaker,
        http=http,
    ).into({})

    async def run() -> dict[str, int]:
        return await deliver_webhooks(ctx)

    return run


async def register(client, keys) -> dict[str, Any]:
    r = await client.post("/api/v1/appeals", json=appeal_body(), headers=auth(keys[Role.REGISTRAR]))
    assert r.status_code == 201, r.text
    return r.json()


async def deliveries(client, keys, sub_id: int) -> list[dict[str, Any]]:
    r = await client.get(f"/api/v1/webhooks/{sub_id}/deliveries", headers=auth(keys[Role.ADMIN]))
    assert r.status_code == 200, r.text
    return r.json()["items"]


async def test_webhooks_are_admin_only_and_the_secret_is_write_only(client, keys, subscribe):
    admin = auth(keys[Role.ADMIN])
    body = {"url": "http://127.0.0.1:9/hook", "secret": SECRET}
    for role in (Role.REGISTRAR, Role.SUPERVISOR, Role.MANAGER, Role.DIRECTUM):
        r = await client.post("/api/v1/webhooks", json=body, headers=auth(keys[role]))
        assert r.status_code == 403, role
        assert (await client.get("/api/v1/webhooks", headers=auth(keys[role]))).status_code == 403
    bad = [
        {**body, "surprise": 1},  # unknown fields are refused, not dropped
        {**body, "url": "ftp://example.org/x"},
        {**body, "secret": "short"},
        {**body, "event_types": ["Not A Type"]},
        {**body, "event_types": ["appeal.registered"] * 51},
    ]
    for b in bad:
        r = await client.post("/api/v1/webhooks", json=b, headers=admin)
        assert r.status_code == 422, b
        assert SECRET not in r.text
    made = await subscribe("http://127.0.0.1:9/hook", event_types=["appeal.overdue"])
    assert "secret" not in made and made["event_types"] == ["appeal.overdue"]
    listed = await client.get("/api/v1/webhooks", headers=admin)
    one = await client.get(f"/api/v1/webhooks/{made['id']}", headers=admin)
    assert listed.status_code == one.status_code == 200
    assert made["id"] in [s["id"] for s in listed.json()["items"]]
    assert SECRET not in listed.text + one.text
    assert (await client.delete(f"/api/v1/webhooks/{made['id']}", headers=admin)).status_code == 204
    assert (await client.get(f"/api/v1/webhooks/{made['id']}", headers=admin)).status_code == 404
    r = await client.post("/api/v1/webhooks/deliveries/999999999/redeliver", headers=admin)
    assert r.status_code == 404


async def test_R_9_receiver_failing_twice_gets_the_event_signed_once_acknowledged_with_backoff(
    app, client, keys, settings, clock, http, receiver, subscribe, caplog
):
    receiver.answer = lambda hit, n: 500 if n <= 2 else 200
    sub = await subscribe(receiver.url, event_types=["appeal.registered"])
    appeal = await register(client, keys)
    run = runner(app, settings, http, clock, webhook_backoff_base_seconds=30)
    t0 = clock()
    caplog.set_level("INFO", logger="appeals_api")

    await run()
    assert len(receiver.snapshot()) == 1
    [d] = await deliveries(client, keys, sub["id"])
    assert (d["status"], d["attempts"], d["last_error"]) == ("pending", 1, "HTTP 500")
    assert datetime.fromisoformat(d["next_attempt_at"]) == t0 + timedelta(seconds=30)
    # Backoff: 30 s after the first failure, then 60 s after the second.
    clock.set(t0 + timedelta(seconds=29))
    await run()
    assert len(receiver.snapshot()) == 1
    clock.set(t0 + timedelta(seconds=30))
    await run()
    assert len(receiver.snapshot()) == 2
    clock.set(t0 + timedelta(seconds=30 + 59))
    await run()
    assert len(receiver.snapshot()) == 2
    clock.set(t0 + timedelta(seconds=30 + 60))
    await run()
    [d] = await deliveries(client, keys, sub["id"])
    assert (d["status"], d["attempts"], d["last_status_code"]) == ("delivered", 3, 200)
    clock.set(t0 + timedelta(days=2))
    await run()

    hits = receiver.snapshot()
    assert [h.status for h in hits] == [500, 500, 200]  # acknowledged once, never sent again
    assert len({h.event_id for h in hits}) == 1 and len({h.body for h in hits}) == 1
    for h in hits:
        assert signing.verify(SECRET, h.header("X-Appeals-Signature"), h.body)
        assert not signing.verify(
            "another-secret-entirely", h.header("X-Appeals-Signature"), h.body
        )
        assert h.header("X-Appeals-Event-Type") == "appeal.registered"
        assert h.header("Content-Type") == "application/json"
        ts = int(h.header("X-Appeals-Signature").split(",")[0].removeprefix("t="))
        assert ts >= int(t0.timestamp())
    # The body is the event exactly as the feed serves it.
    event = hits[0].json()
    assert event["id"] == hits[0].event_id == d["event_id"]
    assert event["appeal_id"] == appeal["id"] and event["type"] == "appeal.registered"
    feed = await client.get(
        "/api/v1/events",
        params={"after": event["id"] - 1, "limit": 1},
        headers=auth(keys[Role.ADMIN]),
    )
    assert feed.json()["items"] == [event]
    # Logs say what happened, never the secret, the URL or the body.
    assert "webhook delivered" in caplog.text
    assert SECRET not in caplog.text and receiver.url not in caplog.text
    assert "Karimov" not in caplog.text


async def test_R_9_dead_letter_after_n_attempts_blocks_its_appeal_until_redelivered(
    app, client, keys, settings, clock, http, receiver, subscribe
):
    healthy = threading.Event()
    sub = await subscribe(receiver.url)
    appeal = await register(client, keys)
    r = await client.post(
        f"/api/v1/appeals/{appeal['id']}/actions/resolve",
        json={"units": [TEST_UNIT], "instruction": "Consider and answer."},
        headers=auth(keys[Role.MANAGER]),
    )
    assert r.status_code == 200, r.text
    first_id: list[int] = []

    def answer(hit: Hit, n: int) -> int:
        first_id[:] = first_id or [hit.event_id]
        return 200 if healthy.is_set() or hit.event_id != first_id[0] else 503

    receiver.answer = answer
    run = runner(app, settings, http, clock, webhook_max_attempts=3, webhook_backoff_base_seconds=1)
    for _ in range(6):  # well past three attempts
        clock.set(clock() + timedelta(seconds=10))
        await run()
    items = await deliveries(client, keys, sub["id"])
    mine = sorted((d for d in items if d["appeal_id"] == appeal["id"]), key=lambda d: d["event_id"])
    assert len(mine) >= 2  # registered, then the resolution's events
    head, later = mine[0], mine[1:]
    assert (head["status"], head["attempts"], head["last_error"]) == ("dead", 3, "HTTP 503")
    assert head["next_attempt_at"] is None
    assert all(d["status"] == "pending" and d["attempts"] == 0 for d in later)
    assert receiver.ids() == [head["event_id"]] * 3  # the later events were held back
    dead = await client.get(
        f"/api/v1/webhooks/{sub['id']}/deliveries",
        params={"status": "dead"},
        headers=auth(keys[Role.ADMIN]),
    )
    assert [d["id"] for d in dead.json()["items"]] == [head["id"]]

    healthy.set()
    r = await client.post(
        f"/api/v1/webhooks/deliveries/{head['id']}/redeliver", headers=auth(keys[Role.ADMIN])
    )
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["attempts"]) == ("pending", 0)
    await run()
    items = await deliveries(client, keys, sub["id"])
    assert all(d["status"] == "delivered" for d in items if d["appeal_id"] == appeal["id"])
    sent = [i for i in receiver.ids() if i != head["event_id"]]
    assert sent == sorted(d["event_id"] for d in later)  # then in feed order


async def test_R_9_an_appeals_events_stay_in_order_while_an_earlier_one_retries(
    app, client, keys, settings, clock, http, receiver, subscribe
):
    sub = await subscribe(receiver.url)
    slow, other = await register(client, keys), await register(client, keys)
    for appeal in (slow, other):
        r = await client.post(
            f"/api/v1/appeals/{appeal['id']}/actions/resolve",
            json={"units": [TEST_UNIT], "instruction": "Consider and answer."},
            headers=auth(keys[Role.MANAGER]),
        )
        assert r.status_code == 200, r.text
    failed: list[int] = []

    def answer(hit: Hit, n: int) -> int:
        if hit.json()["appeal_id"] == slow["id"] and not failed:
            failed.append(hit.event_id)
            return 500
        return 200

    receiver.answer = answer
    run = runner(app, settings, http, clock, webhook_backoff_base_seconds=60)
    await run()

    def by_appeal(appeal_id: str) -> list[int]:
        return [h.event_id for h in receiver.snapshot() if h.json()["appeal_id"] == appeal_id]

    expected = {
        a["id"]: sorted(
            d["event_id"]
            for d in await deliveries(client, keys, sub["id"])
            if d["appeal_id"] == a["id"]
        )
        for a in (slow, other)
    }
    assert len(expected[slow["id"]]) >= 2
    assert by_appeal(other["id"]) == expected[other["id"]]  # not held up by the other appeal
    assert by_appeal(slow["id"]) == expected[slow["id"]][:1]  # its later events wait
    clock.set(clock() + timedelta(seconds=60))
    await run()
    assert by_appeal(slow["id"]) == [expected[slow["id"]][0], *expected[slow["id"]]]


async def test_R_9_two_delivery_runs_at_once_send_each_delivery_once(
    app, client, keys, settings, clock, http, receiver, subscribe
):
    receiver.delay = 0.05
    sub = await subscribe(receiver.url, event_types=["appeal.registered"])
    for _ in range(12):
        await register(client, keys)
    # Fan out first, so that both runs find all twelve due and race for them.
    async with app.state.sessionmaker() as session, session.begin():
        await events_service.sequence_pending(session)
    async with app.state.sessionmaker() as session, session.begin():
        assert await webhook_service.fan_out(session, now=clock()) >= 12
    run_a = runner(app, settings, http, clock, webhook_batch=3)
    run_b = runner(app, settings, http, clock, webhook_batch=3)
    a, b = await asyncio.gather(run_a(), run_b())
    assert a["attempted"] > 0 and b["attempted"] > 0  # both really sent
    assert a["attempted"] + b["attempted"] == 12
    ids = receiver.ids()
    assert len(ids) == len(set(ids)) == 12
    items = await deliveries(client, keys, sub["id"])
    assert sorted(d["event_id"] for d in items) == sorted(ids)
    assert all(d["status"] == "delivered" and d["attempts"] == 1 for d in items)


async def test_a_webhook_into_this_network_is_refused_unless_its_network_is_allowed(
    client, keys, settings, clock
):
    """Issue 19 (8): an admin could point a webhook at the cloud's metadata service or the
    database's port: a private, loopback, link-local or reserved target is 422 naming `url`,
    unless its network is in APPEALS_WEBHOOK_ALLOWED_NETWORKS (here 127.0.0.0/8 is)."""
    h = auth(keys[Role.ADMIN])
    body = {"secret": "s" * 32, "event_types": ["appeal.registered"]}
    for url in (
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.5/hook",
        "http://[::1]:5432/",
        "http://[::ffff:169.254.169.254]/",
        "http://0.0.0.0:6379/",
    ):
        r = await client.post("/api/v1/webhooks", json={**body, "url": url}, headers=h)
        assert r.status_code == 422, (url, r.status_code, r.text)
        assert "url" in [e["field"] for e in r.json()["errors"]], r.json()
    allowed = await client.post(
        "/api/v1/webhooks", json={**body, "url": "http://127.0.0.1:9/hook"}, headers=h
    )
    assert allowed.status_code == 201, allowed.text
    await client.delete(f"/api/v1/webhooks/{allowed.json()['id']}", headers=h)
    async with app_client(settings, clock, webhook_allowed_networks=[]) as c:
        # By default loopback is refused too; a name is resolved and its addresses checked.
        for url in ("http://127.0.0.1:9/hook", "http://localhost:5432/"):
            r = await c.post("/api/v1/webhooks", json={**body, "url": url}, headers=h)
            assert r.status_code == 422, (url, r.text)


async def test_a_target_refused_at_delivery_is_not_sent_to_and_retried_like_any_failure(
    app, client, keys, settings, clock, http, receiver, subscribe
):
    """Issue 19 (8): the target is checked again before each delivery (a name may be pointed
    inside later, or its network's allowance withdrawn): nothing reaches it while refused, the
    delivery says why and stays pending, and goes out once the target is allowed again."""
    sub = await subscribe(receiver.url, event_types=["appeal.registered"])  # 127.0.0.1: allowed
    await register(client, keys)
    await runner(app, settings, http, clock, webhook_allowed_networks=[])()
    assert receiver.snapshot() == []
    [d] = await deliveries(client, keys, sub["id"])
    assert d["status"] == "pending" and d["attempts"] == 1
    assert d["last_error"].startswith("target refused: 127.0.0.1 is a private"), d
    clock.set(clock() + timedelta(days=1))
    await runner(app, settings, http, clock)()
    [d] = await deliveries(client, keys, sub["id"])
    assert d["status"] == "delivered" and len(receiver.snapshot()) == 1


async def test_deleting_a_subscription_during_a_backlog_answers_at_once_and_sends_no_more(
    app, client, keys, settings, clock, http, subscribe
):
    """Issue 19 (7): the DELETE deleted the backlog by cascade, waiting for the deliveries a
    sender held: 503 after 30 s. It now answers at once; nothing more is sent; the worker
    purges the deliveries (those a sender holds on a later run) and then the subscription."""
    import asyncpg

    made = await subscribe("http://127.0.0.1:9/hook")  # nothing listens: a backlog builds
    for _ in range(5):
        r = await client.post(
            "/api/v1/appeals", json=appeal_body(), headers=auth(keys[Role.INTAKE])
        )
        assert r.status_code == 201
    run = runner(app, settings, http, clock)
    await run()  # fanned out; the sends fail and wait for their backoff
    conn = await asyncpg.connect(settings.database_url)
    try:
        count = "SELECT count(*) FROM webhook_deliveries WHERE subscription_id = $1"
        assert await conn.fetchval(count, made["id"]) >= 5
        held = conn.transaction()  # a sender holding its claimed deliveries
        await held.start()
        await conn.execute(
            "SELECT 1 FROM webhook_deliveries WHERE subscription_id = $1 FOR UPDATE", made["id"]
        )
        admin = auth(keys[Role.ADMIN])
        r = await asyncio.wait_for(
            client.delete(f"/api/v1/webhooks/{made['id']}", headers=admin), 3
        )
        assert r.status_code == 204
        assert (
            await client.get(f"/api/v1/webhooks/{made['id']}", headers=admin)
        ).status_code == 404
        await run()  # the held deliveries are skipped, not waited for
        assert await conn.fetchval(count, made["id"]) >= 5
        await held.rollback()
        clock.set(clock() + timedelta(days=1))  # every backoff is over: nothing is sent anyway
        result = await run()
        assert result["purged"] >= 5
        assert await conn.fetchval(count, made["id"]) == 0
        gone = "SELECT count(*) FROM webhook_subscriptions WHERE id = $1"
        assert await conn.fetchval(gone, made["id"]) == 0
    finally:
        await conn.close()
