"""Test fixtures: real PostgreSQL and Redis (embedded unless the URLs are given), real app.

Each test process (each xdist worker) starts its own servers, or uses those of
APPEALS_DATABASE_URL / APPEALS_REDIS_URL, and migrates one template database on the PostgreSQL
server once. Each test module then gets a database of its own, cloned from that template and
dropped after the module, and a Redis database emptied for it: a module sees no other module's
appeals, counters, keys or rate-limit windows. Within a module the tests share that database.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest
import pytest_asyncio
import redis
from fastapi import FastAPI
from sqlalchemy.dialects.postgresql import insert as pg_insert

from appeals_api.auth import service as auth_service
from appeals_api.auth.roles import Role
from appeals_api.clock import FrozenClock
from appeals_api.config import Settings
from appeals_api.db import make_engine, make_sessionmaker
from appeals_api.main import create_app
from appeals_api.units.models import Unit
from tests.helpers import DEFAULT_NOW, TEST_UNIT, KeyMaker
from tests.helpers.db import create_database, drop_database, migrate, unique_name
from tests.helpers.directum import Directum, configured, directum_app, stand_in
from tests.helpers.webhooks import Receiver

if TYPE_CHECKING:  # imported where used: devstack starts nothing at collection
    from appeals_api.devstack import EmbeddedRedis
    from tests.helpers.worker_process import Stack

# Redis has databases 0-15. Workers sharing one Redis (APPEALS_REDIS_URL) each take their own.
REDIS_DATABASES = 16


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Modules with the most slow tests first, each module's tests kept together and in order:
    spread over xdist workers whole modules at a time (`make test`), the long ones start early
    instead of keeping one worker busy after the others are done."""
    slow = Counter(item.nodeid.split("::")[0] for item in items if item.get_closest_marker("slow"))
    items.sort(key=lambda item: -slow[item.nodeid.split("::")[0]])


@dataclass(frozen=True)
class Servers:
    """This process's servers: PostgreSQL (`postgres_url` names its maintenance database, the
    migrated `template` is cloned per module) and its Redis database (`redis_url`)."""

    postgres_url: str
    template: str
    redis_url: str


def _worker_number() -> int:
    """0 without xdist, n for xdist worker gw<n>."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    return int(worker.removeprefix("gw")) if worker.removeprefix("gw").isdigit() else 0


def _redis_database(url: str, number: int) -> str:
    parts = urlsplit(url)
    given = int(parts.path.strip("/") or 0)
    return urlunsplit(parts._replace(path=f"/{(given + number) % REDIS_DATABASES}"))


@pytest.fixture(scope="session")
def servers() -> Iterator[Servers]:
    """PostgreSQL and Redis for the whole run of this process, and the migrated template."""
    from appeals_api.devstack import EmbeddedPostgres, EmbeddedRedis

    tmp = Path(tempfile.mkdtemp(prefix="appeals-test-"))
    started: list[EmbeddedPostgres | EmbeddedRedis] = []
    try:
        server_url = os.environ.get("APPEALS_DATABASE_URL")
        if not server_url:
            pg = EmbeddedPostgres(tmp / "pg", fast=True)
            pg.start()
            started.append(pg)
            server_url = pg.url
        redis_url = os.environ.get("APPEALS_REDIS_URL")
        if redis_url:  # shared with other workers: a database of this worker's own
            redis_url = _redis_database(redis_url, _worker_number())
        else:
            server = EmbeddedRedis(tmp / "redis", persistent=False)
            server.start()
            started.append(server)
            redis_url = server.url
        template = unique_name("appeals_template")
        migrate(create_database(server_url, template))
        try:
            yield Servers(postgres_url=server_url, template=template, redis_url=redis_url)
        finally:
            drop_database(server_url, template)
    finally:
        for started_server in reversed(started):
            started_server.stop()
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture(scope="module")
def database(servers: Servers, request: pytest.FixtureRequest) -> Iterator[str]:
    """The URL of this module's own database: a copy of the migrated template."""
    module = request.module.__name__.rpartition(".")[2].removeprefix("test_")
    name = unique_name(f"t_{module}")
    url = create_database(servers.postgres_url, name, template=servers.template)
    try:
        yield url
    finally:
        drop_database(servers.postgres_url, name)


@pytest.fixture(scope="module")
def redis_url(servers: Servers) -> str:
    """This module's Redis database, emptied of the previous module's counters."""
    client = redis.Redis.from_url(servers.redis_url)
    try:
        client.flushdb()
    finally:
        client.close()
    return servers.redis_url


@pytest.fixture(scope="module")
def settings(database: str, redis_url: str) -> Settings:
    return Settings(
        database_url=database,
        redis_url=redis_url,
        db_pool_size=30,
        db_max_overflow=30,
        gc_freeze=False,  # one process, many apps: nothing of theirs may become immortal
        # The tests' webhook receivers listen on loopback, which a webhook may not reach by
        # default (issue 19).
        webhook_allowed_networks=["127.0.0.0/8"],
    )


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(DEFAULT_NOW)


@pytest_asyncio.fixture
async def app(settings: Settings, clock: FrozenClock) -> AsyncIterator[FastAPI]:
    application = create_app(settings, clock)
    async with application.router.lifespan_context(application):
        yield application


@pytest_asyncio.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        yield c


@pytest_asyncio.fixture(scope="module")
async def make_key(settings: Settings) -> AsyncIterator[KeyMaker]:
    engine = make_engine(settings)
    maker = make_sessionmaker(engine)

    async def _make(role: Role, *, unit: str | None = None, name: str | None = None) -> str:
        async with maker() as session, session.begin():
            _, token = await auth_service.create_key(
                session,
                name=name or f"test {role.value}",
                role=role,
                unit_code=unit,
                expires_at=None,
            )
        return token

    yield _make
    await engine.dispose()


@pytest_asyncio.fixture(scope="module")
async def keys(settings: Settings, make_key: KeyMaker) -> dict[Role, str]:
    """One key per role; the executor's is bound to unit TEST-UNIT."""
    engine = make_engine(settings)
    try:
        async with make_sessionmaker(engine)() as session, session.begin():
            await session.execute(
                pg_insert(Unit).values(code=TEST_UNIT, name="Test unit").on_conflict_do_nothing()
            )
    finally:
        await engine.dispose()
    out = {role: await make_key(role) for role in Role if role is not Role.EXECUTOR}
    out[Role.EXECUTOR] = await make_key(Role.EXECUTOR, unit=TEST_UNIT)
    return out


@pytest.fixture
def directum_receiver() -> Iterator[Receiver]:
    """DIRECTUM's stand-in, a real HTTP server on 127.0.0.1 (R-4.2)."""
    receiver = stand_in().start()
    yield receiver
    receiver.stop()


@pytest_asyncio.fixture
async def directum(
    settings: Settings, clock: FrozenClock, directum_receiver: Receiver
) -> AsyncIterator[Directum]:
    """The app with APPEALS_DIRECTUM_URL pointing at the receiver."""
    async with directum_app(configured(settings, directum_receiver), clock, directum_receiver) as d:
        yield d


# A real worker process beside its own Redis (tests/test_worker_process.py, test_worker_lanes.py).
@pytest.fixture(scope="module")
def scratch() -> Iterator[Path]:
    """A module's own scratch directory (the worker-process modules' servers and logs)."""
    path = Path(tempfile.mkdtemp(prefix="appeals-worker-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="module")
def redis_server(scratch: Path) -> Iterator[EmbeddedRedis]:
    """A Redis this module may stop and start without disturbing the session's."""
    from appeals_api.devstack import EmbeddedRedis

    server = EmbeddedRedis(scratch / "redis", persistent=False)
    server.start()
    yield server
    server.stop()


@pytest_asyncio.fixture
async def stack(database: str, redis_server: EmbeddedRedis, scratch: Path) -> AsyncIterator[Stack]:
    from tests.helpers.worker_process import open_stack

    async with open_stack(database, redis_server, scratch) as opened:
        yield opened
