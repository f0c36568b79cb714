"""Issue 18: /readyz reports PostgreSQL, Redis and the worker's heartbeat; only PostgreSQL down
makes it 503, since intake needs neither Redis nor the worker."""

from __future__ import annotations

from datetime import datetime, timedelta

import asyncpg

from appeals_api.auth.roles import Role
from appeals_api.devstack import free_port
from tests.helpers import DEFAULT_NOW, appeal_body, auth
from tests.helpers.apps import app_client


async def _beat(settings, at: datetime) -> None:
    conn = await asyncpg.connect(settings.database_url)
    try:
        await conn.execute("DELETE FROM worker_heartbeats")
        await conn.execute(
            "INSERT INTO worker_heartbeats (worker_id, hostname, pid, started_at, beat_at) "
            "VALUES ('probe', 'host', 1, $1, $1)",
            at,
        )
    finally:
        await conn.close()


async def test_readyz_ok_when_postgres_redis_and_a_fresh_heartbeat(client, settings) -> None:
    await _beat(settings, DEFAULT_NOW - timedelta(seconds=5))
    r = await client.get("/readyz")
    assert r.status_code == 200
    body = r.json()
    assert (body["status"], body["readiness"]) == ("ready", "ok"), body
    checks = body["checks"]
    assert checks["postgres"]["status"] == "ok" and checks["postgres"]["latency_ms"] >= 0
    assert checks["redis"]["status"] == "ok" and checks["redis"]["latency_ms"] >= 0
    assert checks["worker"] == {"status": "ok", "age_seconds": 5.0, "stale_after_seconds": 60}


async def test_readyz_degraded_when_the_heartbeat_is_stale_or_absent(client, settings) -> None:
    await _beat(settings, DEFAULT_NOW - timedelta(seconds=settings.worker_stale_after_seconds + 1))
    r = await client.get("/readyz")
    assert r.status_code == 200  # a load balancer keeps sending intake
    assert (r.json()["status"], r.json()["readiness"]) == ("ready", "degraded")
    assert r.json()["checks"]["worker"]["status"] == "stale"
    assert r.json()["checks"]["worker"]["age_seconds"] == 61.0

    conn = await asyncpg.connect(settings.database_url)
    try:
        await conn.execute("DELETE FROM worker_heartbeats")
    finally:
        await conn.close()
    r = await client.get("/readyz")
    assert (r.status_code, r.json()["readiness"]) == (200, "degraded")
    assert r.json()["checks"]["worker"]["status"] == "absent"


async def test_readyz_degraded_when_redis_is_down_and_intake_still_registers(
    settings, clock, keys
) -> None:
    await _beat(settings, DEFAULT_NOW)
    dead_redis = f"redis://127.0.0.1:{free_port()}/0"
    async with app_client(settings, clock, redis_url=dead_redis) as client:
        r = await client.get("/readyz")
        assert r.status_code == 200
        assert r.json()["readiness"] == "degraded"
        assert r.json()["checks"]["redis"]["status"] == "down"
        assert r.json()["checks"]["postgres"]["status"] == "ok"
        made = await client.post(
            "/api/v1/appeals", json=appeal_body(), headers=auth(keys[Role.REGISTRAR])
        )
        assert made.status_code == 201, made.text
        assert made.json()["number"]


async def test_readyz_503_down_when_postgres_is_unreachable(settings, clock) -> None:
    dead = f"postgresql://postgres@127.0.0.1:{free_port()}/appeals"
    async with app_client(settings, clock, database_url=dead) as client:
        r = await client.get("/readyz")
    assert r.status_code == 503
    assert r.headers["content-type"].startswith("application/problem+json")  # as before
    body = r.json()
    assert (body["code"], body["readiness"]) == ("not_ready", "down")
    assert body["checks"]["postgres"]["status"] == "down" and body["checks"]["postgres"]["error"]
    assert body["checks"]["redis"]["status"] == "ok"
    assert body["checks"]["worker"]["status"] == "unknown"
