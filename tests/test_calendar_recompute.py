"""Decree overrides without stalls (issue 18, R-3.6, R-9.4): the override is written in a short
transaction and its recompute runs in short batches after it — by the request for a moment, then
by the worker's job (run directly here) — without holding intake up, losing or doubling work,
or letting the watch or an action work on a deadline counted on the old calendar."""

from __future__ import annotations

import asyncio
import time
from datetime import date
from typing import Any

from appeals_api.appeals import deadlines
from appeals_api.auth.roles import Role
from appeals_api.clock import FrozenClock
from tests.helpers import appeal_body, auth
from tests.helpers.apps import app_client
from tests.helpers.common import at_tashkent
from tests.helpers.recompute import fetch, run_job, seed_open, stale_deadlines
from tests.helpers.violations import run_watch, stored

ADMIN_PATH = "/api/v1/calendar/overrides/{}"


def _decree(reason: str) -> dict[str, Any]:
    return {"working": False, "reason": reason}


async def _intakes_while(client, key: str, busy: asyncio.Task[Any]) -> list[float]:
    """Intakes one after another, two at a time, for as long as `busy` runs: each one's time."""
    times: list[float] = []

    async def one() -> None:
        while not busy.done():
            started = time.perf_counter()
            r = await client.post("/api/v1/appeals", json=appeal_body(), headers=auth(key))
            assert r.status_code == 201, r.text
            times.append(time.perf_counter() - started)
            await asyncio.sleep(0.05)

    await asyncio.gather(*(one() for _ in range(2)))
    return times


async def test_R_3_6_an_override_over_many_open_deadlines_never_holds_intake_up(
    settings, keys, clock: FrozenClock
):
    """The PUT commits in a moment; its recompute (this request's share, then the worker's)
    runs in short transactions: no intake made meanwhile waits anywhere near the whole
    recompute (the old PUT held the calendar for all of it: seconds at this size)."""
    clock.set(at_tashkent(2026, 4, 1, 10))
    await seed_open(settings, book=2019, start=date(2026, 4, 1), due=date(2026, 4, 16), n=600)
    inline = {"calendar_recompute_inline_seconds": 1.0, "intake_per_key_per_minute": 100_000}
    async with app_client(settings, clock, **inline) as client:
        # Warm the intake path (its calendar, its statement) before measuring.
        await client.post("/api/v1/appeals", json=appeal_body(), headers=auth(keys[Role.INTAKE]))

        async def override_then_worker() -> Any:
            put = await client.put(
                ADMIN_PATH.format("2026-04-16"),
                json=_decree("Decree: 16 April a day off (test)"),
                headers=auth(keys[Role.ADMIN]),
            )
            assert put.status_code == 200, put.text
            started = time.perf_counter()
            job = await run_job(settings, clock)
            print(f"PUT answered; the worker's job took {time.perf_counter() - started:.1f} s")
            return put.json(), job

        busy = asyncio.create_task(override_then_worker())
        times = await _intakes_while(client, keys[Role.INTAKE], busy)
        answer, progress = await busy
    print(f"intakes: {len(times)}, slowest {max(times):.3f} s")
    assert progress.done
    assert answer["recompute_id"] >= 1 and answer["recomputed_deadlines"] >= 0
    assert len(times) >= 8, times
    # A generous bound on a shared machine: the recompute of 600 appeals takes seconds.
    assert max(times) < 0.75, sorted(times)[-5:]
    assert await stale_deadlines(settings, 2019) == []


async def test_R_3_6_a_recompute_killed_after_its_first_batch_loses_nothing_and_does_nothing_twice(
    settings, keys, clock: FrozenClock
):
    clock.set(at_tashkent(2026, 5, 4, 10))
    await seed_open(settings, book=2018, start=date(2026, 5, 4), due=date(2026, 5, 19), n=230)
    async with app_client(settings, clock, calendar_recompute_inline_seconds=0) as client:
        r = await client.put(
            ADMIN_PATH.format("2026-05-19"),
            json=_decree("Decree: 19 May a day off (test)"),
            headers=auth(keys[Role.ADMIN]),
        )
    assert r.status_code == 200, r.text
    assert r.json()["recompute_done"] is False
    assert len(await stale_deadlines(settings, 2018)) == 230  # nothing recomputed yet

    class Killed(Exception):
        pass

    class DiesInSecondBatch:
        calls = 0

        def scope(self, day, tz):
            return deadlines.on_calendar_change.scope(day, tz)

        async def recompute(self, session, calendar, job, appeal_ids):
            self.calls += 1
            moved = await deadlines.on_calendar_change.recompute(session, calendar, job, appeal_ids)
            if self.calls == 2:
                raise Killed  # after its writes: the batch's transaction rolls back
            return moved

    try:
        await run_job(settings, clock, listener=DiesInSecondBatch())
        raise AssertionError("the job was meant to die")
    except Killed:
        pass
    assert len(await stale_deadlines(settings, 2018)) == 230 - 50  # the first batch stays
    progress = await run_job(settings, clock)
    assert progress.done and progress.moved == 230 - 50
    assert await stale_deadlines(settings, 2018) == []
    once = await fetch(
        settings,
        "SELECT a.id, (SELECT count(*) FROM appeal_history h WHERE h.appeal_id = a.id "
        "AND h.action = 'deadline_recomputed') AS history, (SELECT count(*) FROM events e "
        "WHERE e.appeal_id = a.id AND e.type = 'appeal.deadline_changed') AS events "
        "FROM appeals a WHERE a.year = 2018",
    )
    assert len(once) == 230
    assert {(r["history"], r["events"]) for r in once} == {(1, 1)}
    assert await fetch(settings, "SELECT * FROM calendar_recompute_appeals") == []


def _answer(found: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    return [v for v in found if v[0] == "answer"]  # the registration's (a day) is a fact too


async def _written(client, keys) -> dict[str, Any]:
    r = await client.post(
        "/api/v1/appeals",
        json=appeal_body(form="written", channel="post"),
        headers=auth(keys[Role.REGISTRAR]),
    )
    assert r.status_code == 201, r.text
    return r.json()


async def _written_then_its_due_day_off(client, keys, due: str) -> dict[str, Any]:
    """A written appeal due on `due`, then a decree making that day off, its recompute left to
    the worker (not reached yet)."""
    created = await _written(client, keys)
    assert created["due_date"] == due
    r = await client.put(
        ADMIN_PATH.format(due),
        json=_decree(f"Decree: {due} a day off (test)"),
        headers=auth(keys[Role.ADMIN]),
    )
    assert r.status_code == 200 and r.json()["recompute_done"] is False
    return created


async def test_R_9_4_the_watch_records_no_violation_from_a_deadline_still_to_recompute(
    settings, keys, clock: FrozenClock
):
    clock.set(at_tashkent(2026, 6, 1, 10))  # Monday: 15 days → Tuesday 16 June
    async with app_client(settings, clock, calendar_recompute_inline_seconds=0) as client:
        created = await _written(client, keys)
        assert created["due_date"] == "2026-06-16"
        clock.set(at_tashkent(2026, 6, 17, 10))
        r = await client.put(
            ADMIN_PATH.format("2026-06-16"),
            json=_decree("Decree: 16 June a day off (test)"),
            headers=auth(keys[Role.ADMIN]),
        )
        assert r.status_code == 200 and r.json()["recompute_done"] is False
        # The row still says 16 June (counted on the old calendar): the watch leaves it.
        while (await run_watch(settings, clock())).overdue:  # the seeded appeals' come first
            pass
        assert _answer(await stored(settings, created["id"])) == []
        await run_job(settings, clock)
        got = (
            await client.get(f"/api/v1/appeals/{created['id']}", headers=auth(keys[Role.REGISTRAR]))
        ).json()
        assert got["due_date"] == "2026-06-17"  # due today: not passed
        await run_watch(settings, clock())
        assert _answer(await stored(settings, created["id"])) == []


async def test_R_9_4_a_violation_recorded_stays_after_an_override_moves_its_deadline(
    client, settings, keys, clock: FrozenClock
):
    clock.set(at_tashkent(2026, 7, 1, 10))  # Wednesday: 15 days → Thursday 16 July
    created = await _written(client, keys)
    assert created["due_date"] == "2026-07-16"
    clock.set(at_tashkent(2026, 7, 17, 10))
    while (await run_watch(settings, clock())).overdue:  # the seeded appeals' come first
        pass
    assert ("answer", "2026-07-16") in [v[:2] for v in await stored(settings, created["id"])]
    r = await client.put(
        ADMIN_PATH.format("2026-07-16"),
        json=_decree("Decree: 16 July a day off (test)"),
        headers=auth(keys[Role.ADMIN]),
    )
    assert r.status_code == 200, r.text
    await run_job(settings, clock)
    got = (
        await client.get(f"/api/v1/appeals/{created['id']}", headers=auth(keys[Role.REGISTRAR]))
    ).json()
    assert got["due_date"] == "2026-07-17"
    assert ("answer", "2026-07-16") in [v[:2] for v in await stored(settings, created["id"])]


async def test_R_3_6_an_action_on_an_appeal_still_to_recompute_recomputes_it_first(
    settings, keys, clock: FrozenClock
):
    clock.set(at_tashkent(2026, 8, 3, 10))  # Monday: 15 days → Tuesday 18 August
    async with app_client(settings, clock, calendar_recompute_inline_seconds=0) as client:
        created = await _written_then_its_due_day_off(client, keys, "2026-08-18")
        h = auth(keys[Role.REGISTRAR])
        path = f"/api/v1/appeals/{created['id']}"
        r = await client.post(
            f"{path}/actions/withdraw", json={"received_on": "2026-08-03"}, headers=h
        )
        assert r.status_code == 200, r.text
        history = (await client.get(f"{path}/history", headers=h)).json()["items"]
        assert [e["action"] for e in history[-2:]] == ["deadline_recomputed", "withdraw"]
        assert history[-2]["changes"] == {"deadlines.answer": ["2026-08-18", "2026-08-19"]}
        assert history[-2]["actor_role"] == "admin"
        await run_job(settings, clock)
        after = (await client.get(f"{path}/history", headers=h)).json()["items"]
        assert after == history  # the worker finds nothing left to move
        got = (await client.get(path, headers=h)).json()
        answer = next(d for d in got["deadlines"] if d["rule"] == "answer")
        assert answer["due_on"] == "2026-08-19"


async def test_R_12_2_a_correction_of_an_appeal_still_to_recompute_recomputes_it_first(
    settings, keys, clock: FrozenClock
):
    """R-3.6 as for an action: a correction (R-12.2) works on the appeal's deadlines, and those
    are first brought onto the calendar in force when the override's recompute has not reached
    the appeal yet; the worker then finds nothing left to move."""
    clock.set(at_tashkent(2026, 8, 10, 10))  # Monday: 15 days → Tuesday 25 August
    async with app_client(settings, clock, calendar_recompute_inline_seconds=0) as client:
        created = await _written_then_its_due_day_off(client, keys, "2026-08-25")
        h = auth(keys[Role.REGISTRAR])
        path = f"/api/v1/appeals/{created['id']}"
        r = await client.patch(
            path, json={"summary": "Hot water", "reason": "summary missing"}, headers=h
        )
        assert r.status_code == 200, r.text
        history = (await client.get(f"{path}/history", headers=h)).json()["items"]
        assert [e["action"] for e in history[-2:]] == ["deadline_recomputed", "correct"]
        assert history[-2]["changes"] == {"deadlines.answer": ["2026-08-25", "2026-08-26"]}
        await run_job(settings, clock)
        assert (await client.get(f"{path}/history", headers=h)).json()["items"] == history
