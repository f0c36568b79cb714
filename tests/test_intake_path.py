"""Issue 12: intake has one path, the one statement of `appeals.intake.repository`, and read by
id one statement of `appeals.reading.repository`. What must stay true on it: retries, a decree
override made meanwhile, a revoked key, the limits, and no deadlock (no 5xx) under concurrency.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable
from datetime import date, timedelta

import asyncpg
import httpx
import pytest

from appeals_api.auth import service as auth_service
from appeals_api.auth.roles import Role
from appeals_api.clock import FrozenClock
from appeals_api.db import make_engine, make_sessionmaker
from tests.helpers import appeal_body, at_tashkent, auth
from tests.helpers.apps import app_client
from tests.helpers.db import migrate, scratch_database_async


async def _warm(client, keys) -> dict:
    """One plain intake; the first of an app loads its calendar."""
    r = await client.post("/api/v1/appeals", json=appeal_body(), headers=auth(keys[Role.INTAKE]))
    assert r.status_code == 201, r.text
    return r.json()


async def _count(settings, sql: str, *args: object) -> int:
    conn = await asyncpg.connect(settings.database_url)
    try:
        return int(await conn.fetchval(sql, *args))
    finally:
        await conn.close()


async def test_R_1_8_retries_of_an_intake_get_its_first_answer(
    app, client, keys, settings, clock: FrozenClock
):
    clock.set(at_tashkent(2026, 3, 2))
    await _warm(client, keys)
    assert app.state.calendars.current is not None
    key = "fast-" + uuid.uuid4().hex
    h = {**auth(keys[Role.INTAKE]), "Idempotency-Key": key}
    first = await client.post("/api/v1/appeals", json=appeal_body(), headers=h)
    assert first.status_code == 201 and "idempotent-replayed" not in first.headers
    # The stored answer has no number (the claim precedes it): the replay reads it back.
    again = await asyncio.gather(
        *(client.post("/api/v1/appeals", json=appeal_body(), headers=h) for _ in range(8))
    )
    for r in again:
        assert r.status_code == 201 and r.headers["idempotent-replayed"] == "true"
        assert r.json() == first.json()
    assert first.json()["number"] == f"{first.json()['seq']}/26"
    appeal_id = uuid.UUID(first.json()["id"])
    assert await _count(settings, "SELECT count(*) FROM appeals WHERE id = $1", appeal_id) == 1
    # Eight concurrent first attempts with one new key: one appeal, one number for all.
    h2 = {**auth(keys[Role.INTAKE]), "Idempotency-Key": "fast-" + uuid.uuid4().hex}
    racing = await asyncio.gather(
        *(client.post("/api/v1/appeals", json=appeal_body(), headers=h2) for _ in range(8))
    )
    assert {r.status_code for r in racing} == {201}
    assert len({r.json()["id"] for r in racing}) == 1
    assert sum("idempotent-replayed" not in r.headers for r in racing) == 1
    # A different body under a used key is still refused.
    other = await client.post("/api/v1/appeals", json=appeal_body(text="Other"), headers=h)
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"


def _next_weekday(day: date) -> date:
    day += timedelta(days=1)
    while day.isoweekday() > 5:
        day += timedelta(days=1)
    return day


async def _racing_an_override(settings, due: date, request: Awaitable[httpx.Response]):
    """Send `request` while a decree override making `due` a day off is written and not yet
    committed (what `calendar.service.put_override` does first); the request must wait for it
    (R-3.6). The override is undone afterwards. Returns the request's answer."""
    conn = await asyncpg.connect(settings.database_url)
    try:
        override = conn.transaction()
        await override.start()
        await conn.execute("UPDATE calendar_state SET version = version + 1 WHERE id = 1")
        await conn.execute(
            "INSERT INTO calendar_overrides (day, working, reason, updated_at, updated_by) "
            "VALUES ($1, false, 'Decree (race test)', now(), 'test')",
            due,
        )
        task = asyncio.ensure_future(request)
        await asyncio.sleep(0.5)
        assert not task.done()  # it waits for the override instead of using the old calendar
        await override.commit()
        answer = await asyncio.wait_for(task, 10)
        await conn.execute("DELETE FROM calendar_overrides WHERE day = $1", due)
        await conn.execute("UPDATE calendar_state SET version = version + 1 WHERE id = 1")
    finally:
        await conn.close()
    return answer


async def test_R_3_6_intake_after_a_decree_override_counts_on_the_new_calendar(
    app, client, keys, clock: FrozenClock
):
    clock.set(at_tashkent(2026, 9, 7))  # a Monday
    due = (await _warm(client, keys))["due_date"]
    r = await client.put(
        f"/api/v1/calendar/overrides/{due}",
        json={"working": False, "reason": "Decree (test)"},
        headers=auth(keys[Role.ADMIN]),
    )
    assert r.status_code == 200, r.text
    # This process's cached calendar is now stale: the statement sees the version moved, writes
    # nothing, and intake loads the calendar again before its next attempt.
    after = await _warm(client, keys)
    assert after["due_date"] == _next_weekday(date.fromisoformat(due)).isoformat()
    assert app.state.calendars.current.calendar.overrides[date.fromisoformat(due)] is False


async def test_R_3_6_an_intake_racing_a_decree_override_waits_and_counts_on_it(
    client, keys, settings, clock: FrozenClock
):
    clock.set(at_tashkent(2026, 10, 5))  # a Monday
    due = date.fromisoformat((await _warm(client, keys))["due_date"])
    r = await _racing_an_override(
        settings,
        due,
        client.post("/api/v1/appeals", json=appeal_body(), headers=auth(keys[Role.INTAKE])),
    )
    assert r.status_code == 201, r.text
    assert r.json()["due_date"] == _next_weekday(due).isoformat()


async def test_R_8_1_a_revoked_key_stops_working_on_intake_and_read_by_id(
    client, keys, make_key, settings, clock: FrozenClock
):
    clock.set(at_tashkent(2026, 3, 6))
    created = await _warm(client, keys)
    key = await make_key(Role.REGISTRAR)
    r = await client.post("/api/v1/appeals", json=appeal_body(), headers=auth(key))
    assert r.status_code == 201
    r = await client.get(f"/api/v1/appeals/{created['id']}", headers=auth(key))
    assert r.status_code == 200
    engine = make_engine(settings)
    try:
        async with make_sessionmaker(engine)() as session, session.begin():
            [found] = [
                k
                for k in await auth_service.list_keys(session)
                if k.key_hash == auth_service.hash_key(key)
            ]
            await auth_service.revoke_key(session, key_id=found.id, now=clock())
    finally:
        await engine.dispose()
    r = await client.post("/api/v1/appeals", json=appeal_body(), headers=auth(key))
    assert r.status_code == 401 and r.json()["code"] == "unauthorized"
    r = await client.get(f"/api/v1/appeals/{created['id']}", headers=auth(key))
    assert r.status_code == 401
    # A rejected body does not tell a stranger more than a missing key would (deny first).
    r = await client.post("/api/v1/appeals", json={"kind": "x"}, headers=auth(key))
    assert r.status_code == 401


async def test_R_8_1_a_generous_intake_limit_leased_in_batches_admits_exactly_the_limit(
    settings, make_key
):
    """200 a minute is leased from Redis two at a time: one process admits exactly 200, in
    bursts of ten at once (a burst waits for one lease instead of each taking its own)."""
    clock = FrozenClock(at_tashkent(2026, 3, 4, 10, 0))
    key = await make_key(Role.INTAKE)
    codes: list[int] = []
    async with app_client(settings, clock, intake_per_key_per_minute=200) as client:
        for _ in range(21):
            burst = await asyncio.gather(
                *(
                    client.post("/api/v1/appeals", json=appeal_body(), headers=auth(key))
                    for _ in range(10)
                )
            )
            codes += [r.status_code for r in burst]
    assert codes.count(201) == 200 and codes.count(429) == 10


async def test_R_3_6_an_action_racing_a_decree_override_waits_and_counts_on_it(
    client, keys, settings, clock: FrozenClock
):
    """An action takes the calendar before its appeal's row, like intake: one made while an
    override is being written waits for it and counts on the new calendar."""
    clock.set(at_tashkent(2026, 11, 2))
    first, second = await _warm(client, keys), await _warm(client, keys)
    h = auth(keys[Role.REGISTRAR])
    withdraw = {"received_on": "2026-11-02"}
    path = "/api/v1/appeals/{}/actions/withdraw"
    r = await client.post(path.format(first["id"]), json=withdraw, headers=h)
    assert r.status_code == 200, r.text
    due = date.fromisoformat(r.json()["due_date"])  # the withdrawal's 3-day answer
    r = await _racing_an_override(
        settings, due, client.post(path.format(second["id"]), json=withdraw, headers=h)
    )
    assert r.status_code == 200, r.text
    assert r.json()["due_date"] == _next_weekday(due).isoformat()


async def test_R_2_1_a_locked_key_row_never_holds_intake_up(
    client, keys, make_key, settings, clock: FrozenClock
):
    """The key's last use is bookkeeping: written with SKIP LOCKED, so a request that holds the
    key's row as an update does (another request of the same client writing its last use, a
    revocation in progress) never makes intake wait while it holds the year's counter. Waiting
    there is what deadlocked (issue 12)."""
    clock.set(at_tashkent(2026, 3, 3))
    key = await make_key(Role.INTAKE)
    await _warm(client, {Role.INTAKE: key})
    clock.set(clock() + timedelta(minutes=5))  # its last use is stale: intake would write it
    conn = await asyncpg.connect(settings.database_url)
    try:
        holder = conn.transaction()
        await holder.start()
        await conn.execute(
            "SELECT 1 FROM api_keys WHERE key_hash = $1 FOR NO KEY UPDATE",
            auth_service.hash_key(key),
        )
        r = await asyncio.wait_for(
            client.post("/api/v1/appeals", json=appeal_body(), headers=auth(key)), 5
        )
        assert r.status_code == 201, r.text
        read = await asyncio.wait_for(
            client.get(f"/api/v1/appeals/{r.json()['id']}", headers=auth(keys[Role.REGISTRAR])),
            5,
        )
        assert read.status_code == 200
        await holder.rollback()
    finally:
        await conn.close()


async def _round(
    settings, clock: FrozenClock, keys, intake_key: str, earlier: dict, *, n: int
) -> list[int]:
    """32 intakes at once on an app that has just started, of every kind the path takes, all
    but the replays with one key: the old paths deadlocked on exactly that (issue 12)."""
    key = keys[Role.REGISTRAR]
    replay_key = f"round-{uuid.uuid4().hex}"
    back = (clock() - timedelta(days=2)).isoformat()
    related = {"relation": "repeat", "year": earlier["year"], "number": earlier["seq"]}
    calls = []
    for i in range(n):
        kind = i % 4
        if kind == 0:  # plain
            calls.append((key, appeal_body(), None))
        elif kind == 1:  # naming an earlier appeal
            calls.append((key, appeal_body(related=related), None))
        elif kind == 2:  # back-dated by the Appeals Department
            calls.append((key, appeal_body(received_at=back), None))
        else:  # the same retry, many times at once, from the website's key
            calls.append((intake_key, appeal_body(), replay_key))
    async with app_client(settings, clock) as client:  # the first requests after a start
        answers = await asyncio.gather(
            *(
                client.post(
                    "/api/v1/appeals",
                    json=body,
                    headers={**auth(key), **({"Idempotency-Key": idem} if idem else {})},
                )
                for key, body, idem in calls
            )
        )
    return [r.status_code for r in answers]


@pytest.mark.slow
async def test_R_2_1_thirty_two_concurrent_intakes_of_every_kind_never_answer_5xx(
    client, keys, make_key, settings, clock: FrozenClock
):
    """Issue 12: half plain, half related or back-dated, with replays, on a fresh app, keys
    idle for over a minute: ten rounds of 32 at once, no 5xx, and numbers stay gapless."""
    clock.set(at_tashkent(2026, 4, 6))
    intake_key = await make_key(Role.INTAKE)
    earlier = await _warm(client, keys)
    codes: list[int] = []
    for _ in range(10):
        clock.set(clock() + timedelta(seconds=61))  # every key's last use is stale again
        codes += await _round(settings, clock, keys, intake_key, earlier, n=32)
    assert [c for c in codes if c >= 500] == []
    assert set(codes) == {201}
    conn = await asyncpg.connect(settings.database_url)
    try:
        seqs = [r["seq"] for r in await conn.fetch("SELECT seq FROM appeals WHERE year = 2026")]
        last = await conn.fetchval("SELECT last_seq FROM registration_counters WHERE year = 2026")
    finally:
        await conn.close()
    assert sorted(seqs) == list(range(1, last + 1))  # gapless and unique


async def test_R_1_8_a_first_answer_stored_before_the_one_format_still_replays(
    servers, settings, clock: FrozenClock
):
    """Migration 0007 turned stored first answers of both old formats (with the number's `seq`,
    and with the display `number` too) into the one format: a retry that arrives after the
    upgrade gets the same answer as the first attempt did, and no second appeal."""
    clock.set(at_tashkent(2026, 4, 1))
    async with scratch_database_async(servers.postgres_url, "appeals_idem") as url:
        await asyncio.to_thread(migrate, url)
        engine = make_engine(settings.model_copy(update={"database_url": url}))
        try:
            async with make_sessionmaker(engine)() as session, session.begin():
                _, key = await auth_service.create_key(
                    session, name="website", role=Role.INTAKE, unit_code=None, expires_at=None
                )
        finally:
            await engine.dispose()
        firsts: dict[str, dict] = {}
        async with app_client(settings, clock, database_url=url) as client:
            for idem in ("with-seq", "with-number"):
                h = {**auth(key), "Idempotency-Key": idem}
                r = await client.post("/api/v1/appeals", json=appeal_body(), headers=h)
                assert r.status_code == 201, r.text
                firsts[idem] = r.json()
        await asyncio.to_thread(migrate, url, "0006", down=True)  # the rows as 0006 kept them
        conn = await asyncpg.connect(url)
        try:
            old = await conn.fetchval(
                "SELECT response FROM idempotency_keys WHERE key = $1", "with-seq"
            )
            assert '"seq"' in old  # the old format, with the number's seq
            await conn.execute(
                "UPDATE idempotency_keys SET response = response || jsonb_build_object("
                "'number', $1::text) WHERE key = 'with-number'",
                firsts["with-number"]["number"],
            )
        finally:
            await conn.close()
        await asyncio.to_thread(migrate, url)
        async with app_client(settings, clock, database_url=url) as client:
            for idem, first in firsts.items():
                h = {**auth(key), "Idempotency-Key": idem}
                r = await client.post("/api/v1/appeals", json=appeal_body(), headers=h)
                assert r.status_code == 201 and r.headers["idempotent-replayed"] == "true", idem
                assert r.json() == first, idem
        conn = await asyncpg.connect(url)
        try:
            assert await conn.fetchval("SELECT count(*) FROM appeals") == 2
        finally:
            await conn.close()
