"""API keys and roles: deny by default, 401 without a valid key, 403 without the right."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from fastapi.routing import APIRoute

from appeals_api.auth.dependencies import declared_roles
from appeals_api.auth.roles import Role
from tests.helpers import appeal_body, auth
from tests.helpers.apps import api_routes

PUBLIC = {
    "/healthz",
    "/readyz",
    "/api/v1/public/appeals/{year}/{number}",
    "/api/v1/public/summary",
    "/metrics",  # no key for scrapers; APPEALS_METRICS_TOKEN / _ENABLED restrict it (issue 7)
    "/api/v1/public/receptions",  # the reception schedule is published (R-11.1, §53)
    "/api/v1/public/receptions.ics",
    "/status",  # the applicant's page, GET the form and POST the answer
    # The documentation pages, as FastAPI's own were (`apidocs`, issue 17): no key to read them.
    "/docs",
    "/docs/oauth2-redirect",
    "/redoc",
    "/api/v1/labels",  # the codes' labels in four languages: the vocabulary, nobody's data
}


def _route_roles(route: APIRoute) -> frozenset[Role] | None:
    stack = list(route.dependant.dependencies)
    while stack:
        dep = stack.pop()
        roles = declared_roles(dep.call)
        if roles is not None:
            return roles
        stack.extend(dep.dependencies)
    return None


def test_every_route_declares_the_roles_it_allows(app):
    routes = api_routes(app.routes)
    assert len(routes) >= 15
    undeclared = [
        f"{sorted(r.methods)} {r.path}"
        for r in routes
        if r.path not in PUBLIC and _route_roles(r) is None
    ]
    assert undeclared == []
    # And the public ones really are public: no role check hides in them.
    public = [r for r in routes if r.path in PUBLIC]
    assert {r.path for r in public} == PUBLIC
    assert all(_route_roles(r) is None for r in public)


async def test_no_key_or_bad_key_is_401(client):
    r = await client.get("/api/v1/appeals")
    assert r.status_code == 401
    assert r.headers["www-authenticate"] == "Bearer"
    assert r.headers["content-type"].startswith("application/problem+json")
    r = await client.get("/api/v1/appeals", headers=auth("apk_nope"))
    assert r.status_code == 401
    r = await client.get("/api/v1/appeals", headers={"Authorization": "Basic abc"})
    assert r.status_code == 401


async def test_role_without_the_right_is_403(client, keys):
    # intake creates appeals and nothing else
    assert (await client.get("/api/v1/appeals", headers=auth(keys[Role.INTAKE]))).status_code == 403
    # analysts and admins do not read appeals; managers do not register them
    for role in (Role.ANALYST, Role.ADMIN, Role.DIRECTUM):
        r = await client.get("/api/v1/appeals", headers=auth(keys[role]))
        assert r.status_code == 403, role
    for role in (Role.MANAGER, Role.ANALYST, Role.EXECUTOR, Role.SUPERVISOR, Role.ADMIN):
        r = await client.post("/api/v1/appeals", json=appeal_body(), headers=auth(keys[role]))
        assert r.status_code == 403, role
    r = await client.put(
        "/api/v1/calendar/overrides/2026-06-01",
        json={"working": False, "reason": "x"},
        headers=auth(keys[Role.INTAKE]),
    )
    assert r.status_code == 403
    r = await client.post(
        "/api/v1/units", json={"code": "X", "name": "X"}, headers=auth(keys[Role.REGISTRAR])
    )
    assert r.status_code == 403


def _cli(settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "APPEALS_DATABASE_URL": settings.database_url}
    return subprocess.run(
        [sys.executable, "-m", "appeals_api.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


@pytest.mark.slow
async def test_cli_keys_create_list_revoke(client, settings):
    made = _cli(settings, "keys", "create", "--name", "helpline bridge", "--role", "intake")
    assert made.returncode == 0, made.stderr
    token = made.stdout.strip().splitlines()[-1]
    assert token.startswith("apk_")
    r = await client.post("/api/v1/appeals", json=appeal_body(), headers=auth(token))
    assert r.status_code == 201

    listing = _cli(settings, "keys", "list")
    assert listing.returncode == 0
    line = next(x for x in listing.stdout.splitlines() if "helpline bridge" in x)
    assert token not in listing.stdout  # only a prefix is ever shown
    key_id = line.split()[0]
    assert "never" not in line  # it was used just now

    revoked = _cli(settings, "keys", "revoke", key_id)
    assert revoked.returncode == 0, revoked.stderr
    r = await client.post("/api/v1/appeals", json=appeal_body(), headers=auth(token))
    assert r.status_code == 401

    bad = _cli(settings, "keys", "create", "--name", "x", "--role", "executor")
    assert bad.returncode == 2 and "unit" in bad.stderr


async def test_keys_are_stored_only_as_hashes(settings, make_key):
    import asyncpg

    token = await make_key(Role.SUPERVISOR, name="hash check")
    conn = await asyncpg.connect(settings.database_url)
    try:
        rows = await conn.fetch("SELECT * FROM api_keys WHERE name = 'hash check'")
    finally:
        await conn.close()
    assert rows
    assert all(token not in str(dict(r)) for r in rows)
