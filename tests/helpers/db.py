"""Databases of the tests' own on a PostgreSQL server: migrated by Alembic (never `create_all`),
or cloned from a migrated template, and dropped afterwards."""

from __future__ import annotations

import asyncio
import contextlib
import re
import uuid
from collections.abc import AsyncIterator, Iterator
from urllib.parse import urlsplit, urlunsplit

import asyncpg
from alembic import command
from alembic.config import Config

from tests.helpers.common import REPO

_PLAIN_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


def with_database(url: str, name: str) -> str:
    """The URL of database `name` on the server of `url`."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


async def admin(url: str, sql: str) -> None:
    """Run `sql` on the server's maintenance database (CREATE / DROP DATABASE)."""
    conn = await asyncpg.connect(with_database(url, "postgres"))
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


def unique_name(prefix: str) -> str:
    """A database name of `prefix` (trimmed, lower case) and a random suffix."""
    stem = re.sub(r"[^a-z0-9_]", "_", prefix.lower())[:40]
    name = f"{stem}_{uuid.uuid4().hex[:8]}"
    assert _PLAIN_NAME.fullmatch(name), name
    return name


def create_database(server_url: str, name: str, *, template: str | None = None) -> str:
    """CREATE DATABASE `name` (a copy of `template` when given); returns its URL."""
    assert _PLAIN_NAME.fullmatch(name), name
    sql = f'CREATE DATABASE "{name}"'
    if template is not None:
        assert _PLAIN_NAME.fullmatch(template), template
        sql += f' TEMPLATE "{template}"'
    asyncio.run(admin(server_url, sql))
    return with_database(server_url, name)


def drop_database(server_url: str, name: str) -> None:
    assert _PLAIN_NAME.fullmatch(name), name
    asyncio.run(admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@contextlib.contextmanager
def scratch_database(server_url: str, prefix: str, *, template: str | None = None) -> Iterator[str]:
    """A database for one test, empty (or a copy of `template`), dropped afterwards."""
    name = unique_name(prefix)
    url = create_database(server_url, name, template=template)
    try:
        yield url
    finally:
        drop_database(server_url, name)


@contextlib.asynccontextmanager
async def scratch_database_async(server_url: str, prefix: str) -> AsyncIterator[str]:
    """`scratch_database` for a test already running in an event loop."""
    name = unique_name(prefix)
    await admin(server_url, f'CREATE DATABASE "{name}"')
    try:
        yield with_database(server_url, name)
    finally:
        await admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
