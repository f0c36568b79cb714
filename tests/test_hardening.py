"""Input hardening (issue 5): a request that takes too long — here a client trickling its body —
is cut off with a 503 problem, and nothing of it is kept."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import time
import uuid

import asyncpg
import psutil
import pytest

from appeals_api.auth.roles import Role
from appeals_api.clock import FrozenClock
from tests.helpers import DEFAULT_NOW, appeal_body, auth
from tests.helpers.apps import app_client


async def test_a_request_over_the_time_limit_gets_503_and_registers_nothing(settings, keys):
    clock = FrozenClock(DEFAULT_NOW)
    payload = json.dumps(appeal_body(external_ref="trickled")).encode()

    async def trickle():
        for i in range(0, len(payload), 20):
            yield payload[i : i + 20]
            await asyncio.sleep(0.05)

    h = {**auth(keys[Role.REGISTRAR]), "Content-Type": "application/json"}
    async with app_client(settings, clock, request_timeout_seconds=0.3) as client:
        r = await client.post("/api/v1/appeals", content=trickle(), headers=h)
        assert r.status_code == 503, r.text
        assert r.json()["code"] == "request_timeout"
        assert r.headers["content-type"].startswith("application/problem+json")
    # The same body sent at once is fine, and only that one was registered. (On an app with the
    # usual limit: on a loaded machine a whole intake can take longer than 0.3 s.)
    async with app_client(settings, clock) as client:
        r = await client.post("/api/v1/appeals", content=payload, headers=h)
        assert r.status_code == 201, r.text
        listed = await client.get(
            "/api/v1/appeals",
            params={"received_from": "2026-03-02", "received_to": "2026-03-02"},
            headers=auth(keys[Role.REGISTRAR]),
        )
        assert listed.status_code == 200, listed.text
        refs = [a["external_ref"] for a in listed.json()["items"]]
        assert refs.count("trickled") == 1


@pytest.mark.parametrize("kind", ["read", "write"])
async def test_a_time_out_answers_even_when_the_database_stops_answering(settings, keys, kind):
    """Issue 19 (1): with PostgreSQL frozen, a request ran past the limit and hung until the
    client gave up, because the cut-off request first waited for its own clean-up. The answer
    at the limit waits for that clean-up a moment at most: here the request's backend is
    stopped (SIGSTOP) while it waits for a lock, and the 503 still comes on time."""
    clock = FrozenClock(DEFAULT_NOW)
    holder = await asyncpg.connect(settings.database_url)
    held = holder.transaction()
    await held.start()
    await holder.execute("LOCK TABLE appeals IN ACCESS EXCLUSIVE MODE")
    stopped: list[int] = []
    try:
        limits = {"request_timeout_seconds": 1.0, "request_grace_seconds": 0.5}
        async with app_client(settings, clock, **limits) as client:
            started = time.monotonic()
            h = auth(keys[Role.REGISTRAR])
            request = (  # a read without a transaction, or an action in one
                client.get("/api/v1/appeals", headers=h)
                if kind == "read"
                else client.post(
                    f"/api/v1/appeals/{uuid.uuid4()}/actions/dispatch", json={}, headers=h
                )
            )
            listing = asyncio.ensure_future(request)
            stopped += await _stop_waiting_backend(holder)
            r = await asyncio.wait_for(listing, 20)
            elapsed = time.monotonic() - started
    finally:
        for pid in reversed(stopped):
            os.kill(pid, signal.SIGCONT)
        await held.rollback()
        await holder.close()
    assert r.status_code == 503, r.text
    assert r.json()["code"] == "request_timeout"
    assert elapsed < 4, f"answered after {elapsed:.1f} s"


async def _stop_waiting_backend(holder: asyncpg.Connection) -> list[int]:
    """SIGSTOP the service's backend that waits for the holder's lock, once it waits, and the
    postmaster: the database is frozen as a whole for the service."""
    for _ in range(200):
        await holder.execute("SELECT pg_stat_clear_snapshot()")  # fresh within its transaction
        pids = await holder.fetch(
            "SELECT pid FROM pg_stat_activity WHERE application_name = 'appeals-api' "
            "AND wait_event_type = 'Lock'"
        )
        if pids:
            # The backends, then their postmaster: no cancel request, no new connection either.
            frozen = [row["pid"] for row in pids] + [psutil.Process(pids[0]["pid"]).ppid()]
            for pid in frozen:
                os.kill(pid, signal.SIGSTOP)
            return frozen
        await asyncio.sleep(0.05)
    raise AssertionError("no request waited for the lock")
