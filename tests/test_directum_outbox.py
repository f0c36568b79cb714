"""DIRECTUM from the outbox (R-4.2): the dispatch action only emits `appeal.dispatched`; the
DIRECTUM worker turns each such event into one dispatch and delivers it through the outbound
core webhooks use, to a real local HTTP receiver standing in for DIRECTUM."""

from __future__ import annotations

import ast
import asyncio
import json
import uuid
from datetime import datetime, timedelta
from typing import Any

import asyncpg
import httpx
from fastapi import FastAPI
from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert

from appeals_api.auth import service as auth_service
from appeals_api.auth.roles import Role
from appeals_api.directum import feed
from appeals_api.directum import repository as directum_repository
from appeals_api.directum.models import DirectumDispatch, DirectumFeedCursor
from appeals_api.events.models import Event
from appeals_api.units.models import Unit
from tests.helpers import REPO, appeal_body, auth
from tests.helpers.db import migrate, scratch_database_async
from tests.helpers.directum import (
    INSTRUCTION,
    Directum,
    configured,
    directum_app,
    dispatched,
    events_of,
)
from tests.helpers.lifecycle import LEAD, SECOND
from tests.helpers.webhooks import Hit, Receiver


async def dispatches_of(directum: Directum, appeal_id: str) -> list[DirectumDispatch]:
    async with directum.app.state.sessionmaker() as session:
        rows = await session.scalars(
            select(DirectumDispatch)
            .where(DirectumDispatch.appeal_id == uuid.UUID(appeal_id))
            .order_by(DirectumDispatch.id)
        )
        return list(rows)


def dispatched_data(events: list[tuple[str, dict[str, Any]]]) -> list[dict[str, Any]]:
    return [data for type_, data in events if type_ == "appeal.dispatched"]


def test_R_4_2_appeals_dispatch_without_knowing_directum():
    """The dispatch action only writes to the outbox: no module of appeals imports directum."""
    appeals = REPO / "src" / "appeals_api" / "appeals"
    offenders = []
    for path in sorted(appeals.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            names = (
                [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else []
            )
            offenders += [
                f"{path.name}: {n}" for n in names if n.startswith("appeals_api.directum")
            ]
    assert offenders == []


async def test_R_4_2_a_dispatch_reaches_directum_from_the_outbox_once_even_when_the_job_runs_twice(
    directum: Directum, keys, make_key, clock
):
    walk = await dispatched(directum.client, keys, make_key, clock, LEAD, SECOND)
    # The action wrote the event and no dispatch: DIRECTUM takes it from the outbox.
    assert await dispatches_of(directum, walk.id) == []
    [data] = dispatched_data(await events_of(directum.app, walk.id))
    assert (data["units"], data["channel"]) == ([LEAD, SECOND], "directum")
    assert data["due_date"] == walk.appeal["due_date"] and isinstance(data["resolution_id"], int)
    # Still in the outbox, the dispatch shows as pending, due at once.
    shown = walk.appeal["directum"]
    assert (shown["status"], shown["attempts"], shown["delivered_at"]) == ("pending", 0, None)
    assert datetime.fromisoformat(shown["next_attempt_at"]) == clock()

    await asyncio.gather(directum.deliver(), directum.deliver())  # two workers at once
    await directum.deliver()
    [row] = await dispatches_of(directum, walk.id)
    assert row.resolution_id == data["resolution_id"] and row.status == "delivered"
    [hit] = directum.hits_for(walk.id)
    sent = hit.json()
    assert sent["dispatch_id"] == row.id and sent["resolution"]["id"] == data["resolution_id"]
    assert sent["units"] == [LEAD, SECOND] and sent["lead_unit"] == LEAD
    assert sent["due_date"] == data["due_date"] and sent["resolution"]["instruction"] == INSTRUCTION

    # A cursor moved back (an event looked at again) makes no second dispatch and no second POST.
    async with directum.app.state.sessionmaker() as session, session.begin():
        feed_id = await session.scalar(
            select(Event.feed_id).where(
                Event.appeal_id == uuid.UUID(walk.id), Event.type == "appeal.dispatched"
            )
        )
        assert feed_id is not None
        await session.execute(update(DirectumFeedCursor).values(position=feed_id - 1))
    assert (await directum.deliver())["queued"] == 0
    assert len(await dispatches_of(directum, walk.id)) == 1
    assert len(directum.hits_for(walk.id)) == 1
    assert (await walk.read())["directum"]["status"] == "delivered"


async def test_R_4_2_a_re_routed_appeal_reaches_directum_in_routing_order(
    directum: Directum, keys, make_key, clock
):
    first_key: list[str] = []

    def answer(hit: Hit, n: int) -> int:
        first_key[:] = first_key or [hit.header("Idempotency-Key")]
        return 503 if hit.header("Idempotency-Key") == first_key[0] and n == 1 else 200

    directum.receiver.answer = answer
    walk = await dispatched(directum.client, keys, make_key, clock, LEAD)
    # Re-routed to another unit before the worker ran: both dispatches wait in the outbox.
    await walk.act(Role.MANAGER, "resolve", {"units": [SECOND], "instruction": "Re-routed."})
    await walk.act(Role.REGISTRAR, "dispatch")
    routed = [d["resolution_id"] for d in dispatched_data(await events_of(directum.app, walk.id))]
    assert len(routed) == 2 and routed[0] < routed[1]

    await directum.deliver()
    rows = await dispatches_of(directum, walk.id)
    assert [r.resolution_id for r in rows] == routed  # made in routing order
    hits = directum.hits_for(walk.id)
    assert [(h.json()["resolution"]["id"], h.status) for h in hits] == [(routed[0], 503)]
    assert (await walk.read())["directum"]["status"] == "pending"  # the latest waits its turn

    clock.set(clock() + timedelta(seconds=10))
    await directum.deliver()
    hits = directum.hits_for(walk.id)
    assert [(h.json()["resolution"]["id"], h.status) for h in hits] == [
        (routed[0], 503),
        (routed[0], 200),
        (routed[1], 200),
    ]
    assert [h.json()["units"] for h in hits[1:]] == [[LEAD], [SECOND]]
    shown = (await walk.read())["directum"]
    assert (shown["status"], shown["attempts"]) == ("delivered", 1)


async def test_R_4_2_directum_never_gives_up_where_a_webhook_would_be_dead_lettered(
    directum: Directum, keys, make_key, clock, caplog
):
    directum.receiver.answer = lambda hit, n: 503
    caplog.set_level("INFO", logger="appeals_api")
    walk = await dispatched(directum.client, keys, make_key, clock, LEAD)
    attempts = directum.settings.webhook_max_attempts + 2
    for _ in range(attempts):
        await directum.deliver()
        [row] = await dispatches_of(directum, walk.id)
        assert row.next_attempt_at is not None
        clock.set(row.next_attempt_at)
    shown = (await walk.read())["directum"]
    assert (shown["status"], shown["attempts"], shown["last_error"]) == (
        "failed",
        attempts,
        "HTTP 503",
    )
    # 10 s doubling, capped at the configured maximum.
    last = datetime.fromisoformat(shown["last_attempt_at"])
    wait = datetime.fromisoformat(shown["next_attempt_at"]) - last
    assert wait == timedelta(seconds=directum.settings.directum_backoff_max_seconds)
    assert len(directum.hits_for(walk.id)) == attempts

    directum.receiver.answer = lambda hit, n: 200
    await directum.deliver()
    shown = (await walk.read())["directum"]
    assert (shown["status"], shown["attempts"]) == ("delivered", attempts + 1)
    failed = [r for r in caplog.records if r.getMessage() == "directum dispatch failed"]
    assert failed and all(r.__dict__["retry_in_seconds"] > 0 for r in failed)
    assert {r.__dict__["appeal_id"] for r in failed} >= {walk.id}
    assert "directum dispatch delivered" in caplog.text
    assert directum.receiver.url not in caplog.text


async def test_R_4_2_downgrade_queues_what_the_worker_has_not_taken_and_none_is_sent_twice(
    servers, settings, clock, directum_receiver: Receiver
):
    async with scratch_database_async(servers.postgres_url, "appeals_dir") as url:
        own = configured(settings, directum_receiver, database_url=url, db_pool_size=5)
        await asyncio.to_thread(migrate, url)
        async with directum_app(own, clock, directum_receiver) as d:
            tokens = await staff(d.app)
            taken = await register_and_dispatch(d.client, tokens)
            await d.deliver()  # taken from the outbox and delivered
            waiting = await register_and_dispatch(d.client, tokens)
            expected = await worker_payload(d.app, waiting)
        await asyncio.to_thread(migrate, url, "0007", down=True)
        rows = await dispatch_rows(url)
        assert set(rows) == {taken, waiting} and rows[taken]["status"] == "delivered"
        queued = rows[waiting]["payload"]
        assert rows[waiting]["status"] == "pending"
        assert datetime.fromisoformat(queued.pop("dispatched_at")) == datetime.fromisoformat(
            expected.pop("dispatched_at")
        )
        assert queued == expected  # as the worker would have built it

        await asyncio.to_thread(migrate, url)
        async with directum_app(own, clock, directum_receiver) as d:
            assert (await d.deliver())["queued"] == 0  # its resolution has its dispatch already
        rows = await dispatch_rows(url)
        assert set(rows) == {taken, waiting}
        assert all(r["status"] == "delivered" for r in rows.values())
        sent = [h.json()["appeal_id"] for h in directum_receiver.snapshot()]
        assert sorted(sent) == sorted([taken, waiting])  # each once


async def staff(app: FastAPI) -> dict[Role, str]:
    async with app.state.sessionmaker() as session, session.begin():
        await session.execute(pg_insert(Unit).values(code=LEAD, name=LEAD).on_conflict_do_nothing())
        tokens = {}
        for role in (Role.REGISTRAR, Role.MANAGER):
            _, tokens[role] = await auth_service.create_key(
                session, name=f"directum test {role}", role=role, unit_code=None, expires_at=None
            )
    return tokens


async def register_and_dispatch(client: httpx.AsyncClient, tokens: dict[Role, str]) -> str:
    r = await client.post(
        "/api/v1/appeals", json=appeal_body(), headers=auth(tokens[Role.REGISTRAR])
    )
    assert r.status_code == 201, r.text
    appeal_id: str = r.json()["id"]
    for role, action, body in (
        (Role.MANAGER, "resolve", {"units": [LEAD], "instruction": INSTRUCTION}),
        (Role.REGISTRAR, "dispatch", {}),
    ):
        r = await client.post(
            f"/api/v1/appeals/{appeal_id}/actions/{action}", json=body, headers=auth(tokens[role])
        )
        assert r.status_code == 200, r.text
    return appeal_id


async def worker_payload(app: FastAPI, appeal_id: str) -> dict[str, Any]:
    """What the worker builds from the appeal's `appeal.dispatched` event."""
    async with app.state.sessionmaker() as session:
        event = await session.scalar(
            select(Event).where(
                Event.appeal_id == uuid.UUID(appeal_id), Event.type == "appeal.dispatched"
            )
        )
        assert event is not None
        dispatched = feed.Dispatched.of(event)
        assert dispatched is not None
        found = await directum_repository.resolutions_with_appeals(
            session, [dispatched.resolution_id]
        )
    resolution, appeal = found[dispatched.resolution_id]
    return feed.payload(dispatched, appeal, resolution)


async def dispatch_rows(url: str) -> dict[str, dict[str, Any]]:
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch("SELECT appeal_id, status, payload FROM directum_dispatches")
    finally:
        await conn.close()
    return {
        str(r["appeal_id"]): {"status": r["status"], "payload": json.loads(r["payload"])}
        for r in rows
    }
