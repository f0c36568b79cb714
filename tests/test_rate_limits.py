"""Abuse limits (R-8.1; OWASP API4): the public lookup per address and per appeal number, intake
per key — 429 with Retry-After — and no refused appeal when Redis is down."""

from __future__ import annotations

import httpx

from appeals_api.auth.roles import Role
from appeals_api.clock import FrozenClock
from tests.helpers import appeal_body, at_tashkent, auth
from tests.helpers.apps import app_client


async def _register(client: httpx.AsyncClient, key: str) -> dict[str, object]:
    r = await client.post("/api/v1/appeals", json=appeal_body(), headers=auth(key))
    assert r.status_code == 201, r.text
    return r.json()


async def test_R_8_1_lookup_is_limited_per_appeal_number(settings, keys):
    clock = FrozenClock(at_tashkent(2026, 3, 2, 10, 0))
    async with app_client(
        settings,
        clock,
        public_lookups_per_number_per_hour=3,
        public_lookups_per_address_per_minute=100,
    ) as client:
        made = await _register(client, keys[Role.REGISTRAR])
        url = f"/api/v1/public/appeals/{made['year']}/{made['seq']}"
        for _ in range(3):  # guesses count as much as the right code
            assert (await client.get(url, params={"code": "WRONGCODE"})).status_code == 404
        r = await client.get(url, params={"code": made["tracking_code"]})
        assert r.status_code == 429
        assert r.headers["content-type"].startswith("application/problem+json")
        assert 1 <= int(r.headers["Retry-After"]) <= 3600
        # Another number is not blocked by this one's guesses.
        other = await _register(client, keys[Role.REGISTRAR])
        r = await client.get(
            f"/api/v1/public/appeals/{other['year']}/{other['seq']}",
            params={"code": other["tracking_code"]},
        )
        assert r.status_code == 200
        clock.set(at_tashkent(2026, 3, 2, 11, 1))  # the next hour's window
        r = await client.get(url, params={"code": made["tracking_code"]})
        assert r.status_code == 200


async def test_R_8_1_lookup_is_limited_per_client_address(settings, keys):
    clock = FrozenClock(at_tashkent(2026, 3, 3, 10, 0))
    async with app_client(
        settings,
        clock,
        public_lookups_per_address_per_minute=5,
        public_lookups_per_number_per_hour=100,
    ) as client:
        codes = [
            await client.get(f"/api/v1/public/appeals/2026/{n}", params={"code": "X"})
            for n in range(900, 906)
        ]
        assert [r.status_code for r in codes] == [404] * 5 + [429]
        assert int(codes[-1].headers["Retry-After"]) <= 60


async def test_intake_is_limited_per_key_and_others_are_not_affected(settings, make_key):
    clock = FrozenClock(at_tashkent(2026, 3, 4, 10, 0))
    website, helpline = await make_key(Role.INTAKE), await make_key(Role.INTAKE)
    async with app_client(settings, clock, intake_per_key_per_minute=4) as client:
        codes = []
        for _ in range(5):
            r = await client.post("/api/v1/appeals", json=appeal_body(), headers=auth(website))
            codes.append(r.status_code)
        assert codes == [201, 201, 201, 201, 429]
        await _register(client, helpline)
        clock.set(at_tashkent(2026, 3, 4, 10, 1))
        await _register(client, website)


async def test_without_redis_intake_and_lookup_still_answer(settings, keys):
    """An appeal is never refused because the counters are unreachable (R-1.5)."""
    clock = FrozenClock(at_tashkent(2026, 3, 5, 10, 0))
    async with app_client(
        settings, clock, redis_url="redis://127.0.0.1:9/0", intake_per_key_per_minute=1
    ) as client:
        made = await _register(client, keys[Role.REGISTRAR])
        await _register(client, keys[Role.REGISTRAR])  # over the limit, but not counted
        r = await client.get(
            f"/api/v1/public/appeals/{made['year']}/{made['seq']}",
            params={"code": made["tracking_code"]},
        )
        assert r.status_code == 200
