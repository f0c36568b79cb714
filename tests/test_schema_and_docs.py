"""Migrations are the schema; the OpenAPI document is current; health endpoints answer."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import asyncpg
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from appeals_api.models import metadata
from tests.helpers import REPO
from tests.helpers.db import migrate, scratch_database


def test_migrations_build_exactly_the_models(settings):
    from sqlalchemy.ext.asyncio import create_async_engine

    async def diff() -> list[object]:
        engine = create_async_engine(settings.async_database_url)
        try:
            async with engine.connect() as conn:
                return await conn.run_sync(
                    lambda sync: compare_metadata(MigrationContext.configure(sync), metadata)
                )
        finally:
            await engine.dispose()

    assert asyncio.run(diff()) == []


def test_migrations_downgrade_and_upgrade_again(servers):
    with scratch_database(servers.postgres_url, "appeals_mig") as url:
        migrate(url)
        migrate(url, "base", down=True)

        async def tables() -> set[str]:
            conn = await asyncpg.connect(url)
            try:
                rows = await conn.fetch(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
                )
            finally:
                await conn.close()
            return {r["tablename"] for r in rows}

        assert asyncio.run(tables()) <= {"alembic_version"}
        migrate(url)
        assert "appeals" in asyncio.run(tables())


def test_openapi_document_is_current(app):
    committed = Path(REPO / "openapi" / "openapi.json")
    assert committed.exists(), "run `make openapi`"
    assert json.loads(committed.read_text(encoding="utf-8")) == app.openapi(), (
        "openapi/openapi.json is stale: run `make openapi`"
    )


async def test_healthz_and_readyz(client):
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    r = await client.get("/readyz")
    assert r.status_code == 200 and r.json()["status"] == "ready"  # as it always answered
    assert r.json()["readiness"] in ("ok", "degraded")  # no worker here
    assert set(r.json()["checks"]) == {"postgres", "redis", "worker"}
