"""Issue 18: the service behind PgBouncer in transaction mode (the Debian package, 1.18: no
prepared statements of its own), `APPEALS_DATABASE_PGBOUNCER=true`. A real pgbouncer process
runs in front of this module's database with three server connections, so the app's clients
share them statement by statement (outside a transaction) or transaction by transaction."""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest

from appeals_api import outbound
from appeals_api.auth.roles import Role
from appeals_api.config import Settings
from appeals_api.db import make_engine, make_sessionmaker
from appeals_api.worker import refresh_search
from appeals_api.worker_context import WorkerContext
from tests.helpers import appeal_body, auth
from tests.helpers.apps import app_client
from tests.helpers.pgservers import PgBouncer, pgbouncer_binary

pytestmark = pytest.mark.slow

POOL_SIZE = 3
PLANNER = ("plan_cache_mode", "max_parallel_workers_per_gather", "enable_seqscan")


@pytest.fixture(scope="module")
def bouncer(settings: Settings) -> Iterator[PgBouncer]:
    if pgbouncer_binary() is None:
        pytest.fail("pgbouncer not found: apt-get install -y pgbouncer (.ci/run installs it)")
    # Not under pytest's tmp dir: PgBouncer runs as another account where the tests run as root.
    directory = Path(tempfile.mkdtemp(prefix="appeals-pgbouncer-"))
    server = PgBouncer(directory, settings.database_url)
    try:
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(scope="module")
def bounced(settings: Settings, bouncer: PgBouncer) -> Settings:
    """The app's settings with its database behind PgBouncer."""
    return settings.model_copy(update={"database_url": bouncer.url, "database_pgbouncer": True})


async def _server_settings(bouncer: PgBouncer) -> list[tuple[str, ...]]:
    """The planner settings of every server connection PgBouncer holds: as many transactions
    at once as it has server connections, each one's settings read in it."""
    connections = [
        await asyncpg.connect(bouncer.url, statement_cache_size=0) for _ in range(POOL_SIZE)
    ]
    try:
        for conn in connections:
            await conn.execute("BEGIN")
        rows = [
            await conn.fetchrow(
                "SELECT pg_backend_pid()::text, "
                + ", ".join(f"current_setting('{name}')" for name in PLANNER)
            )
            for conn in connections
        ]
        return [tuple(row) for row in rows if row is not None]
    finally:
        for conn in connections:
            await conn.close()


async def _index(settings: Settings, clock: object) -> int:
    """The worker's `refresh_search` job, through PgBouncer."""
    engine = make_engine(settings)
    try:
        async with outbound.make_client() as http:
            context = WorkerContext(
                settings=settings, clock=clock, sessionmaker=make_sessionmaker(engine), http=http
            )
            return int(await refresh_search(context.into({})))
    finally:
        await engine.dispose()


async def test_R_2_1_intake_retry_action_list_search_and_read_through_pgbouncer(
    bounced, bouncer, keys, clock
):
    """Intake twice with one Idempotency-Key (one appeal), an action, the worker's search rows,
    the list, a search twice in a row and many at once, a read by id: all through PgBouncer
    in transaction mode; and no server connection keeps the search's planner settings."""
    defaults = [row[1:] for row in await _server_settings(bouncer)]
    async with app_client(bounced, clock) as client:
        headers = {**auth(keys[Role.REGISTRAR]), "Idempotency-Key": str(uuid.uuid4())}
        body = appeal_body(text="Vodoprovod zanglagan, almashtiring quvurlarni.")
        first = await client.post("/api/v1/appeals", json=body, headers=headers)
        again = await client.post("/api/v1/appeals", json=body, headers=headers)
        assert first.status_code == 201, first.text
        assert again.json()["id"] == first.json()["id"]
        appeal = first.json()["id"]
        resolve = {"units": ["TEST-UNIT"], "instruction": "Consider and answer."}
        r = await client.post(
            f"/api/v1/appeals/{appeal}/actions/resolve",
            json=resolve,
            headers=auth(keys[Role.MANAGER]),
        )
        assert r.status_code == 200, r.text
        assert await _index(bounced, clock) >= 1
        reader = auth(keys[Role.REGISTRAR])
        r = await client.get("/api/v1/appeals", headers=reader)
        assert r.status_code == 200, r.text
        assert appeal in [a["id"] for a in r.json()["items"]]
        for _ in range(2):
            r = await client.get("/api/v1/appeals", params={"q": "zanglagan"}, headers=reader)
            assert r.status_code == 200, r.text
            assert [a["id"] for a in r.json()["items"]] == [appeal]
        many = await asyncio.gather(
            *(
                client.get(
                    "/api/v1/appeals",
                    params={"q": "zanglagan", "count": "true"} if i % 2 else {"q": "quvur"},
                    headers=reader,
                )
                for i in range(12)
            )
        )
        assert {r.status_code for r in many} == {200}, [r.text for r in many]
        r = await client.get(f"/api/v1/appeals/{appeal}", headers=reader)
        assert r.status_code == 200, r.text
        assert r.json()["status"] != first.json()["status"]
    after = await _server_settings(bouncer)
    assert [row[1:] for row in after] == defaults
