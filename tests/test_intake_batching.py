"""Issue 18: intake's group commit (`appeals.intake.batching`). The requests waiting at one
moment are registered by one statement and one commit; every guarantee of one request holds
for each: gapless numbers (R-2.1), all or nothing per appeal, nothing kept for a request that
was cancelled before it was sent."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import pytest
from sqlalchemy import text

from appeals_api.appeals.intake import batching, repository
from appeals_api.appeals.intake.plan import plan_registration
from appeals_api.appeals.schemas import AppealCreate
from appeals_api.auth import service as auth_service
from appeals_api.auth.roles import APPEAL_CREATORS, BACKDATERS, Role
from appeals_api.clock import FrozenClock
from appeals_api.main import create_app
from tests.helpers import appeal_body, at_tashkent, auth
from tests.helpers.apps import app_client


async def _fetch(settings, sql: str, *args: object) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(settings.database_url)
    try:
        return await conn.fetch(sql, *args)
    finally:
        await conn.close()


async def _gapless(settings) -> None:
    """2026's numbers are 1 … its counter, each once (R-2.1)."""
    seqs = [r["seq"] for r in await _fetch(settings, "SELECT seq FROM appeals WHERE year = 2026")]
    last = await _fetch(settings, "SELECT last_seq FROM registration_counters WHERE year = 2026")
    assert sorted(seqs) == list(range(1, last[0]["last_seq"] + 1))


async def _counter_held(settings) -> tuple[asyncpg.Connection, Any]:
    """Another transaction holds 2026's counter row: a batch sent now waits behind it."""
    conn = await asyncpg.connect(settings.database_url)
    held = conn.transaction()
    await held.start()
    await conn.execute(
        "INSERT INTO registration_counters (year, last_seq) VALUES (2026, 0) "
        "ON CONFLICT (year) DO UPDATE SET last_seq = registration_counters.last_seq"
    )
    return conn, held


async def _item(app, settings, key: str, now, **body: Any) -> dict[str, Any]:
    """A request as intake's service makes it, for the batching's own tests."""
    pool = app.state.pool
    loaded = await app.state.calendars.get(pool, settings)
    data = AppealCreate.model_validate(appeal_body(**body))
    plan = plan_registration(
        settings, data=data, received_at=now, calendar=loaded.calendar, related=None, now=now
    )
    caller = repository.Caller(
        key_hash=auth_service.hash_key(key),
        person=None,
        roles=sorted(r.value for r in APPEAL_CREATORS),
        backdated=False,
        backdaters=sorted(r.value for r in BACKDATERS),
        write=True,
    )
    return repository.item(
        plan,
        caller=caller,
        calendar_version=loaded.version,
        idempotency_key=None,
        request_hash=None,
        now=now,
    )


async def test_R_2_1_intakes_waiting_together_are_numbered_by_one_commit_without_gaps(
    client, keys, settings, clock: FrozenClock
):
    """While one batch waits (here, behind a held counter row), the requests arriving meanwhile
    queue; they are then registered by one statement — one transaction — with the numbers
    after the first's, gapless, each with its first history entry chained (R-9.5)."""
    clock.set(at_tashkent(2026, 3, 2))
    h = auth(keys[Role.INTAKE])
    conn, held = await _counter_held(settings)
    try:
        first = asyncio.ensure_future(client.post("/api/v1/appeals", json=appeal_body(), headers=h))
        await asyncio.sleep(0.3)
        queued = [
            asyncio.ensure_future(client.post("/api/v1/appeals", json=appeal_body(), headers=h))
            for _ in range(10)
        ]
        await asyncio.sleep(0.3)
        assert not first.done() and not any(q.done() for q in queued)
    finally:
        await held.rollback()
        await conn.close()
    answers = [await asyncio.wait_for(first, 10), *await asyncio.gather(*queued)]
    assert [r.status_code for r in answers] == [201] * 11
    seqs = [r.json()["seq"] for r in answers]
    assert seqs[0] == min(seqs) and sorted(seqs) == list(range(seqs[0], seqs[0] + 11))
    # Rows written by one transaction share its id (xmin): the first alone, the ten together.
    rows = await _fetch(
        settings,
        "SELECT xmin::text AS tx, count(*) AS n FROM appeals WHERE seq = ANY($1) GROUP BY 1",
        seqs,
    )
    assert sorted(r["n"] for r in rows) == [1, 10]
    # Each begins its chain: one entry, at position 1, after the genesis, by the hash
    # the audit recomputes (`journal.first_history_sql`, written without the chain lock).
    chains = await _fetch(
        settings,
        "SELECT a.seq, h.position, h.prev_hash = appeal_history_genesis() AS first, "
        "h.hash = appeal_history_hash(h.prev_hash, h.position, h.appeal_id, h.at, h.actor_id, "
        "h.actor_name, h.actor_role, h.action, h.changes, h.note) AS sound "
        "FROM appeals AS a JOIN appeal_history AS h ON h.appeal_id = a.id "
        "WHERE a.seq = ANY($1) AND a.year = 2026",
        seqs,
    )
    assert sorted((r["seq"], r["position"], r["first"], r["sound"]) for r in chains) == [
        (seq, 1, True, True) for seq in sorted(seqs)
    ]


async def test_R_2_1_one_request_that_breaks_the_statement_never_fails_its_batch(
    app, client, keys, settings, clock: FrozenClock
):
    """All or nothing per appeal: a request whose values PostgreSQL refuses (here a year out
    of range) fails alone; the others of its batch are registered, gapless."""
    clock.set(at_tashkent(2026, 3, 2))
    await client.post("/api/v1/appeals", json=appeal_body(), headers=auth(keys[Role.INTAKE]))
    now = clock()
    good = [await _item(app, settings, keys[Role.INTAKE], now) for _ in range(2)]
    bad = await _item(app, settings, keys[Role.INTAKE], now)
    bad["appeal"] = {**bad["appeal"], "year": 70_000}  # a smallint: out of range
    bad["year"] = 2026
    results = await asyncio.gather(
        batching.register(app.state.pool, good[0]),
        batching.register(app.state.pool, bad),
        batching.register(app.state.pool, good[1]),
        return_exceptions=True,
    )
    assert isinstance(results[1], asyncpg.DataError)
    seqs = [results[0].seq, results[2].seq]
    assert None not in seqs and seqs[1] == seqs[0] + 1
    await _gapless(settings)
    ids = {r["id"] for r in await _fetch(settings, "SELECT id FROM appeals")}
    assert bad["appeal_id"] not in ids  # nothing of the bad one


async def test_R_2_1_a_request_cancelled_before_its_batch_is_sent_keeps_nothing(
    app, client, keys, settings, clock: FrozenClock
):
    """A request that gives up while still queued (its client gone, a time-out) leaves the
    queue: no appeal, no number, for it."""
    clock.set(at_tashkent(2026, 3, 2))
    await client.post("/api/v1/appeals", json=appeal_body(), headers=auth(keys[Role.INTAKE]))
    now = clock()
    sent = await _item(app, settings, keys[Role.INTAKE], now)
    given_up = await _item(app, settings, keys[Role.INTAKE], now)
    conn, held = await _counter_held(settings)
    try:
        first = asyncio.ensure_future(batching.register(app.state.pool, sent))
        await asyncio.sleep(0.3)  # sent, waiting for the counter
        second = asyncio.ensure_future(batching.register(app.state.pool, given_up))
        await asyncio.sleep(0.1)  # queued behind it
        second.cancel()
        with pytest.raises(asyncio.CancelledError):
            await second
    finally:
        await held.rollback()
        await conn.close()
    assert (await asyncio.wait_for(first, 10)).seq is not None
    ids = {r["id"] for r in await _fetch(settings, "SELECT id FROM appeals")}
    assert sent["appeal_id"] in ids and given_up["appeal_id"] not in ids
    await _gapless(settings)


async def test_a_time_out_says_nothing_was_kept_only_when_that_is_true(
    settings, keys, clock: FrozenClock
):
    """Issue 19 (1): the time-out answered 503 "nothing was kept" for appeals that were then
    registered. An intake whose batch was sent when the time (and its grace) ran out answers
    504 "outcome unknown", and its retry with the same Idempotency-Key leaves exactly one
    appeal (PostgreSQL cancels the statement at the same bound, or it completed); one still
    queued answers 503 and is not registered."""
    clock.set(at_tashkent(2026, 3, 2))
    h = auth(keys[Role.INTAKE])
    again = {**h, "Idempotency-Key": "sent-when-the-time-ran-out"}
    # The queued one's time (0.2 + 1.0 s) runs out before the sent one's statement is
    # cancelled at the time and grace (1.0 + 0.8 s), while it still waits behind it.
    grace = {"request_timeout_seconds": 1.0, "request_grace_seconds": 0.8}
    async with app_client(settings, clock, **grace) as client:
        await client.post("/api/v1/appeals", json=appeal_body(), headers=h)  # warm
        conn, held = await _counter_held(settings)
        try:
            sent = asyncio.ensure_future(
                client.post("/api/v1/appeals", json=appeal_body(external_ref="sent"), headers=again)
            )
            await asyncio.sleep(0.2)  # its batch is sent and waits for the counter
            queued = await client.post(
                "/api/v1/appeals", json=appeal_body(external_ref="queued"), headers=h
            )
            first = await sent
        finally:
            await held.rollback()
            await conn.close()
        retried = await client.post(
            "/api/v1/appeals", json=appeal_body(external_ref="sent"), headers=again
        )
    assert first.status_code == 504, first.text
    assert first.json()["code"] == "outcome_unknown"
    assert queued.status_code == 503, queued.text
    assert queued.json()["code"] == "request_timeout"  # "… nothing was kept"
    assert retried.status_code == 201, retried.text
    refs = [r["external_ref"] for r in await _fetch(settings, "SELECT external_ref FROM appeals")]
    assert refs.count("sent") == 1 and "queued" not in refs


async def test_the_services_statements_are_bounded_in_postgresql_by_the_request_time(
    settings, keys, clock: FrozenClock
):
    """Issue 19 (1): a statement of a request that was cut off must not run on in PostgreSQL
    even when the cancellation sent for it never arrives: the API's connections (the plain
    pool and the ORM's) carry `statement_timeout` = the request's time and grace."""
    bounds = {"request_timeout_seconds": 2.0, "request_grace_seconds": 0.5}
    app = create_app(settings.model_copy(update=bounds), clock)
    async with app.router.lifespan_context(app):
        async with app.state.pool.acquire() as conn:
            plain = await conn.fetchval("SELECT current_setting('statement_timeout')")
        async with app.state.sessionmaker() as session:
            orm = (
                await session.execute(text("SELECT current_setting('statement_timeout')"))
            ).scalar()
    assert plain == orm == "2500ms"


async def test_a_write_sent_before_the_time_out_answers_its_outcome_once_known(
    settings, keys, clock: FrozenClock
):
    """Issue 19 (1): "answer only when the outcome is known". An intake whose batch waits past
    the time-out for a lock released within the grace answers its 201, not "unknown", and is
    registered once."""
    clock.set(at_tashkent(2026, 3, 2))
    h = auth(keys[Role.INTAKE])
    grace = {"request_timeout_seconds": 1.0, "request_grace_seconds": 5.0}
    async with app_client(settings, clock, **grace) as client:
        await client.post("/api/v1/appeals", json=appeal_body(), headers=h)  # warm
        conn, held = await _counter_held(settings)
        try:
            late = asyncio.ensure_future(
                client.post("/api/v1/appeals", json=appeal_body(external_ref="late"), headers=h)
            )
            await asyncio.sleep(1.5)  # past the time-out, within the grace
            assert not late.done()
        finally:
            await held.rollback()
            await conn.close()
        answer = await late
    assert answer.status_code == 201, answer.text
    refs = [r["external_ref"] for r in await _fetch(settings, "SELECT external_ref FROM appeals")]
    assert refs.count("late") == 1
