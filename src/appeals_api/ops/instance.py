"""Which instance a database belongs to: `make run` marks the database it starts with an id
(a COMMENT ON DATABASE, so no table and no migration), and writes the same id into `.data/env`;
the CLI compares the two before it writes (issue 18)."""

from __future__ import annotations

import uuid

import asyncpg

from appeals_api.ops import repository


async def instance_of(url: str) -> str | None:
    """The instance id the database at `url` is marked with, None when unmarked."""
    conn = await asyncpg.connect(url, timeout=5)
    try:
        comment = await repository.database_comment(conn)
    finally:
        await conn.close()
    if comment and comment.startswith(repository.INSTANCE_PREFIX):
        return comment.removeprefix(repository.INSTANCE_PREFIX).strip()
    return None


async def claim(url: str) -> str:
    """The database's instance id, marking it with a new one when it has none."""
    conn = await asyncpg.connect(url, timeout=5)
    try:
        comment = await repository.database_comment(conn)
        if comment and comment.startswith(repository.INSTANCE_PREFIX):
            return comment.removeprefix(repository.INSTANCE_PREFIX).strip()
        made = str(uuid.uuid4())
        await repository.set_database_comment(conn, repository.INSTANCE_PREFIX + made)
        return made
    finally:
        await conn.close()
