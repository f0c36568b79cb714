"""Test fixtures: real PostgreSQL and Redis (embedded unless the URLs are given), real app."""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx
import pytest
import pytest_asyncio
from alembic import command
from alembic.config import Config
from fastapi import FastAPI
from sqlalchemy.dialects.postgresql import insert as pg_insert

from appeals_api.auth import service as auth_service
from appeals_api.auth.roles import Role
from appeals_api.clock import FrozenClock
from appeals_api.config import Settings
from appeals_api.db import make_engine, make_sessionmaker
from appeals_api.main import create_app
from appeals_api.units.models import Unit

REPO = Path(__file__).resolve().parent.parent
# A Monday, 10:00 in Tashkent, inside working hours.
DEFAULT_NOW = datetime(2026, 3, 2, 5, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Servers:
    database_url: str
    redis_url: str


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


async def _admin(url: str, sql: str) -> None:
    conn = await asyncpg.connect(_with_database(url, "postgres"))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def migrate(database_url: str, revision: str = "head", *, down: bool = False) -> None:
    config = Config(str(REPO / "alembic.ini"))
    config.attributes["database_url"] = database_url
    config.attributes["configure_logger"] = False
    if down:
        command.downgrade(config, revision)
    else:
        command.upgrade(config, revision)


@pytest.fixture(scope="session")
def servers() -> Iterator[Servers]:
    """PostgreSQL and Redis for the whole run; a database of the suite's own on the server."""
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
        if not redis_url:
            redis = EmbeddedRedis(tmp / "redis", persistent=False)
            redis.start()
            started.append(redis)
            redis_url = redis.url
        name = f"appeals_test_{uuid.uuid4().hex[:10]}"
        asyncio.run(_admin(server_url, f'CREATE DATABASE "{name}"'))
        database_url = _with_database(server_url, name)
        try:
            migrate(database_url)
            yield Servers(database_url=database_url, redis_url=redis_url)
        finally:
            asyncio.run(_admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        for server in reversed(started):
            server.stop()
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture(scope="session")
def settings(servers: Servers) -> Settings:
    return Settings(
        database_url=servers.database_url,
        redis_url=servers.redis_url,
        db_pool_size=30,
        db_max_overflow=30,
        gc_freeze=False,  # one process, many apps: nothing of theirs may become immortal
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


KeyMaker = Callable[..., Awaitable[str]]


@pytest_asyncio.fixture(scope="session")
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


TEST_UNIT = "TEST-UNIT"


@pytest_asyncio.fixture(scope="session")
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


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def appeal_body(**overrides: object) -> dict[str, object]:
    """A valid intake body: an electronic complaint from an identified individual."""
    body: dict[str, object] = {
        "kind": "complaint",
        "form": "electronic",
        "channel": "website",
        "language": "uz",
        "text": "The dust from the tailings reaches our street; please take measures.",
        "applicants": [
            {
                "type": "individual",
                "last_name": "Karimov",
                "first_name": "Aziz",
                "patronymic": "Bahodirovich",
                "address": "Almalyk, Navoi street 5",
                "phone": "+998 90 000 00 00",
            }
        ],
    }
    body.update(overrides)
    return body


def at_tashkent(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    """An instant given by its Tashkent wall-clock time (UTC+5, no DST)."""
    from zoneinfo import ZoneInfo

    return datetime(year, month, day, hour, minute, tzinfo=ZoneInfo("Asia/Tashkent"))
