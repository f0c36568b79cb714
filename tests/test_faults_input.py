"""Issue 19 (3, 4): what answered 500 — PostgreSQL or Redis out of reach, a NUL character in
a query or path value, list and search cursors naming numbers beyond the columns' ranges —
answers a problem (503 with Retry-After, 422, 400), and the connection stays usable."""

from __future__ import annotations

import base64

from appeals_api.auth.roles import Role
from appeals_api.devstack import free_port
from tests.helpers import appeal_body, auth
from tests.helpers.apps import app_client


def _b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


async def test_a_nul_character_in_a_query_or_path_value_is_422_naming_it(client, keys):
    h = auth(keys[Role.REGISTRAR])
    for path, params, field in (
        ("/api/v1/appeals", {"unit": "\x00"}, "unit"),
        ("/api/v1/appeals", {"q": "Karimov\x00"}, "q"),
        ("/api/v1/appeals", {"executor": "a\x00b"}, "executor"),
        ("/api/v1/appeals/by-number/2026/1", {"lang": "\x00"}, "lang"),
    ):
        r = await client.get(path, params=params, headers=h)
        assert r.status_code == 422, (path, params, r.status_code, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
        assert field in [e["field"] for e in r.json()["errors"]], r.json()
    r = await client.patch(
        "/api/v1/units/A%00B", json={"name": "X"}, headers=auth(keys[Role.ADMIN])
    )
    assert r.status_code == 422 and "code" in [e["field"] for e in r.json()["errors"]], r.text
    # The same connection still serves (a 500 used to close it).
    assert (await client.get("/api/v1/appeals", headers=h)).status_code == 200


async def test_cursors_beyond_the_numbers_ranges_are_400_not_500(client, keys):
    h = auth(keys[Role.REGISTRAR])
    for cursor, params in (
        (_b64("99999999999999999999:1"), {}),
        (_b64("2026:99999999999999999999"), {}),
        (_b64("0:1"), {}),
        (_b64("-due|2026-01-01|2026|99999999999"), {"sort": "-due"}),
        (_b64("r:0.5:2026:99999999999"), {"q": "suv"}),
        (_b64("n:0.5:99999:1"), {"q": "suv"}),
    ):
        r = await client.get("/api/v1/appeals", params={"cursor": cursor, **params}, headers=h)
        assert r.status_code == 400, (cursor, r.status_code, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")


async def test_a_database_that_cannot_be_reached_answers_503_with_retry_after_not_500(
    settings, clock, keys
):
    """Issue 19 (3): an outage of PostgreSQL answered 500. It is 503 with Retry-After, a
    problem that does not claim nothing was kept (a write sent before may have been), for a
    read and for an intake alike."""
    dead = f"postgresql://postgres@127.0.0.1:{free_port()}/appeals"
    async with app_client(settings, clock, database_url=dead) as c:
        answers = [
            await c.get("/api/v1/appeals", headers=auth(keys[Role.REGISTRAR])),
            await c.post("/api/v1/appeals", json=appeal_body(), headers=auth(keys[Role.REGISTRAR])),
        ]
    for r in answers:
        assert r.status_code == 503, r.text
        assert r.headers["retry-after"] == "1"
        assert r.headers["content-type"].startswith("application/problem+json")
        assert "nothing was kept" not in r.text


async def test_redis_that_cannot_be_reached_never_answers_500(settings, clock, keys):
    """Issue 19 (3): with Redis gone, what needs it answers 503 with Retry-After; intake does
    not need it (its limits go unenforced) and still registers."""
    dead = f"redis://127.0.0.1:{free_port()}/0"
    async with app_client(settings, clock, redis_url=dead) as c:
        made = await c.post("/api/v1/appeals", json=appeal_body(), headers=auth(keys[Role.INTAKE]))
        assert made.status_code == 201, made.text
        listed = await c.get("/api/v1/appeals", headers=auth(keys[Role.REGISTRAR]))
        assert listed.status_code in (200, 503), listed.text
        if listed.status_code == 503:
            assert listed.headers["retry-after"] == "1"
