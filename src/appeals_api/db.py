"""Database plumbing: declarative Base, engine, one transaction per request."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from enum import StrEnum
from typing import Annotated, Any, TypeVar

import asyncpg
from fastapi import Depends, Request
from pydantic_core import from_json, to_json
from sqlalchemy import Dialect, MetaData, String
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

from appeals_api import outcome
from appeals_api.config import Settings
from appeals_api.state import state_of

Endpoint = TypeVar("Endpoint", bound=Callable[..., Any])

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


E = TypeVar("E", bound=StrEnum)


class StrEnumType(TypeDecorator[E]):
    """A status or code column: its enum in Python, a plain VARCHAR in the database (adding a
    value needs no migration; a value the enum does not know fails loudly on reading)."""

    impl = String
    cache_ok = True

    def __init__(self, enum: type[E], length: int) -> None:
        super().__init__(length)
        self.enum = enum

    def process_bind_param(self, value: E | str | None, dialect: Dialect) -> str | None:
        return None if value is None else self.enum(value).value

    def process_result_value(self, value: str | None, dialect: Dialect) -> E | None:
        return None if value is None else self.enum(value)


# Every connection of ours: named in pg_stat_activity, and without JIT compilation, which
# PostgreSQL starts for any statement its planner costs high (a search over a million
# appeals, a year's statistics) and which costs such a statement tens of milliseconds more
# than it saves on this service's short queries (bench/RESULTS.md, issue 15).
SERVER_SETTINGS = {"application_name": "appeals-api", "jit": "off"}
# PgBouncer (1.18) refuses a startup parameter it does not know (`jit`): behind it, jit=off is
# the database's or role's setting (`ALTER ROLE ... SET jit = off`, README).
PGBOUNCER_SERVER_SETTINGS = {"application_name": "appeals-api"}


def _json_text(value: Any) -> str:
    return to_json(value).decode()


def _unnamed() -> str:
    return ""


def _server_settings(settings: Settings, *, serving: bool) -> dict[str, str]:
    """The connection's settings. The API's (`serving`) also bound each statement in PostgreSQL
    at the request's time and grace (issue 19): a statement whose request was cut off never
    runs on there, even when the cancellation sent for it could not reach the server."""
    if settings.database_pgbouncer:  # behind PgBouncer: the role's settings (README)
        return PGBOUNCER_SERVER_SETTINGS
    if not serving:
        return SERVER_SETTINGS
    bound = settings.request_timeout_seconds + settings.request_grace_seconds
    return {**SERVER_SETTINGS, "statement_timeout": str(int(bound * 1000))}


def _connect_args(settings: Settings, *, serving: bool) -> dict[str, Any]:
    """Behind PgBouncer in transaction mode (1.18 has no prepared statements of its own),
    asyncpg's statements are unnamed and never cached: the unnamed statement is parsed, bound
    and run before the Sync that ends the statement's turn on a server connection, so it can
    neither be missing on another server connection nor collide with a name prepared there."""
    if not settings.database_pgbouncer:
        return {"server_settings": _server_settings(settings, serving=serving)}
    return {
        "server_settings": PGBOUNCER_SERVER_SETTINGS,
        "statement_cache_size": 0,
        "prepared_statement_cache_size": 0,
        "prepared_statement_name_func": _unnamed,
    }


def make_engine(settings: Settings, *, serving: bool = False) -> AsyncEngine:
    """An engine; the API's (`serving`) bounds its statements by the request time-out."""
    return create_async_engine(
        settings.async_database_url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_pre_ping=False,
        # Bound values are applicants' names and addresses: never in logs or error messages.
        hide_parameters=True,
        # JSON columns take dates and UUIDs too (intake's answer, stored for its retries).
        json_serializer=_json_text,
        connect_args=_connect_args(settings, serving=serving),
    )


def make_sessionmaker(
    engine: AsyncEngine, *, autocommit: bool = False
) -> async_sessionmaker[AsyncSession]:
    bind = engine.execution_options(isolation_level="AUTOCOMMIT") if autocommit else engine
    return async_sessionmaker(bind, expire_on_commit=False, autoflush=False)


READ_ONLY_ATTR = "reads_only"


def reads_only(endpoint: Endpoint) -> Endpoint:
    """Mark a route that only reads (and may append an access-log row): it runs without a
    transaction (but behind PgBouncer, see `open_session`). At READ COMMITTED every statement
    takes its own snapshot anyway, so BEGIN and COMMIT would buy nothing but two round trips.
    Never for a route that takes locks."""
    setattr(endpoint, READ_ONLY_ATTR, True)
    return endpoint


def _reads_only(request: Request) -> bool:
    route = request.scope.get("route")
    return bool(getattr(getattr(route, "endpoint", None), READ_ONLY_ATTR, False))


@asynccontextmanager
async def open_session(request: Request) -> AsyncIterator[AsyncSession]:
    """The request's one transaction (none on a `reads_only` route): committed before the
    response is sent, else rolled back."""
    state = state_of(request)
    # Behind PgBouncer a statement outside a transaction may run on any server connection:
    # a read's statements (the search's settings and its query) share one only inside one.
    without_transaction = _reads_only(request) and not state.settings.database_pgbouncer
    maker: async_sessionmaker[AsyncSession] = (
        state.autocommit_sessionmaker if without_transaction else state.sessionmaker
    )
    async with maker() as session:
        try:
            yield session
        except BaseException:
            await session.rollback()
            raise
        else:
            if not _reads_only(request):  # a commit sent completes, or not, without it
                outcome.may_be_kept()
            await session.commit()


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    async with open_session(request) as session:
        yield session


async def _init_connection(conn: asyncpg.Connection) -> None:
    # pydantic-core's JSON: about three times as fast as the json module's on intake's values.
    for name in ("json", "jsonb"):
        await conn.set_type_codec(name, encoder=_json_text, decoder=from_json, schema="pg_catalog")


async def _no_reset(conn: asyncpg.Connection) -> None:
    """By default asyncpg also clears advisory locks, cursors, LISTEN and settings on a
    connection's way back to the pool: a round trip per request. The statements of this pool
    leave none of those behind (each is one statement in its own implicit transaction), so
    only what asyncpg always does stays (an open transaction is still rolled back)."""


async def make_pool(settings: Settings, *, serving: bool = False) -> asyncpg.Pool:
    """Plain asyncpg connections for the hot statements (intake, read by id): one round trip,
    no ORM. Opened lazily, up to `db_fast_pool_size`; the API's (`serving`) as `make_engine`."""
    pool = await asyncpg.create_pool(
        settings.plain_database_url,
        min_size=0,
        max_size=settings.db_fast_pool_size,
        init=_init_connection,
        reset=_no_reset,
        server_settings=_server_settings(settings, serving=serving),
        # Behind PgBouncer: unnamed statements only (see `_connect_args`).
        statement_cache_size=0 if settings.database_pgbouncer else 100,
    )
    assert pool is not None
    return pool


SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]
