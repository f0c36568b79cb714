"""Input hardening (issue 5): a request that takes too long — here a client trickling its body —
is cut off with a 503 problem, and nothing of it is kept."""

from __future__ import annotations

import asyncio
import json

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
