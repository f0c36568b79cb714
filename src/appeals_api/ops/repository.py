"""The SQL of operations that is not the worker's heartbeat table: the instance mark on the
database, its emptiness before a restore, and the probes of /readyz."""

from __future__ import annotations

from datetime import datetime

import asyncpg
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from appeals_api.ops.models import WorkerHeartbeat

INSTANCE_PREFIX = "appeals-api instance "


async def database_comment(conn: asyncpg.Connection) -> str | None:
    comment: str | None = await conn.fetchval(
        "SELECT shobj_description(oid, 'pg_database') FROM pg_database "
        "WHERE datname = current_database()"
    )
    return comment


async def set_database_comment(conn: asyncpg.Connection, comment: str) -> None:
    name = await conn.fetchval("SELECT quote_ident(current_database())")
    literal = await conn.fetchval("SELECT quote_literal($1::text)", comment)
    await conn.execute(f"COMMENT ON DATABASE {name} IS {literal}")


async def relation_count(conn: asyncpg.Connection) -> int:
    """Tables, sequences and views outside the system schemas: 0 for an empty database."""
    count: int = await conn.fetchval(
        "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE c.relkind IN ('r', 'p', 'S', 'v', 'm') "
        "AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
        "AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%'"
    )
    return count


async def select_one(conn: AsyncConnection) -> None:
    await conn.execute(text("SELECT 1"))


async def last_heartbeat(conn: AsyncConnection) -> datetime | None:
    beat: datetime | None = await conn.scalar(select(func.max(WorkerHeartbeat.beat_at)))
    return beat
