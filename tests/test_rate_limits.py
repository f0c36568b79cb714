"""Abuse limits (R-8.1; OWASP API4): the public lookup per client address (X-Forwarded-For
believed only from a trusted proxy), intake per key — 429 with Retry-After — and no refused
appeal when Redis is down."""

from __future__ import annotations

import httpx

from appeals_api.auth.roles import Role
from appeals_api.clock import FrozenClock
from tests.helpers import appeal_body, at_tashkent, auth
from tests.helpers.apps import app_client
from tests.helpers.peers import app_peers


async def _register(client: httpx.AsyncClient, key: str) -> dict[str, object]:
    r = await client.post("/api/v1/appeals", json=appeal_body(), headers=auth(key))
    assert r.status_code == 201, r.text
    return r.json()


async def test_R_8_1_lookup_is_limited_per_client_address(settings, keys):
    clock = FrozenClock(at_tashkent(2026, 3, 3, 10, 0))
    async with app_client(
        settings,
        clock,
        public_lookups_per_address_per_minute=5,
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


LOOKUP = "/api/v1/public/appeals/2026/1"


async def test_R_8_1_a_spoofed_forwarded_for_from_an_untrusted_peer_is_ignored(settings):
    """Without APPEALS_TRUSTED_PROXIES the direct peer is the client: a stranger naming the
    holder's address in X-Forwarded-For neither spends the holder's allowance nor escapes
    their own by naming a new address each time."""
    clock = FrozenClock(at_tashkent(2026, 4, 8, 10, 0))
    async with app_peers(settings, clock, public_lookups_per_address_per_minute=3) as peer:
        stranger, holder = peer("203.0.113.66"), peer("198.51.100.20")
        codes = [
            (
                await stranger.get(
                    LOOKUP, params={"code": "X"}, headers={"X-Forwarded-For": f"198.51.100.{n}"}
                )
            ).status_code
            for n in (20, 20, 21, 22)
        ]
        assert codes == [404, 404, 404, 429]
        assert (await holder.get(LOOKUP, params={"code": "X"})).status_code == 404


async def test_R_8_1_behind_a_trusted_proxy_the_forwarded_client_is_counted(settings):
    """From a peer in APPEALS_TRUSTED_PROXIES, the client is the right-most X-Forwarded-For hop
    that is not one of our proxies: each client behind the proxy has its own allowance, and
    what a client wrote to the left of that hop is not believed."""
    clock = FrozenClock(at_tashkent(2026, 4, 9, 10, 0))
    async with app_peers(
        settings, clock, public_lookups_per_address_per_minute=2, trusted_proxies="10.0.0.0/8"
    ) as peer:
        proxy = peer("10.1.2.3")

        async def via_proxy(forwarded: str) -> int:
            r = await proxy.get(
                LOOKUP, params={"code": "X"}, headers={"X-Forwarded-For": forwarded}
            )
            return r.status_code

        assert await via_proxy("203.0.113.9") == 404
        assert await via_proxy("198.51.100.1, 203.0.113.9") == 404  # a spoofed left hop
        assert await via_proxy("203.0.113.9, 10.9.9.9") == 429  # two proxies, same client
        assert await via_proxy("203.0.113.10") == 404  # another client behind the proxy
        # The proxy's own address was never counted.
        assert (await peer("10.1.2.3").get(LOOKUP, params={"code": "X"})).status_code == 404
