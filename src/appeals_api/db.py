"""Database plumbing: declarative Base, engine, one transaction per request."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from sqlalchemy import MetaData
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase

from appeals_api.config import Settings

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


def make_engine(settings: Settings) -> AsyncEngine:
    return create_async_engine(
        settings.async_database_url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_pre_ping=False,
        # Bound values are applicants' names and addresses: never in logs or error messages.
        hide_parameters=True,
        connect_args={"server_settings": {"application_name": "appeals-api"}},
    )


def make_sessionmaker(
    engine: AsyncEngine, *, autocommit: bool = False
) -> async_sessionmaker[AsyncSession]:
    bind = engine.execution_options(isolation_level="AUTOCOMMIT") if autocommit else engine
    return async_sessionmaker(bind, expire_on_commit=False, autoflush=False)


READ_ONLY_ATTR = "reads_only"


def reads_only(endpoint: Endpoint) -> Endpoint:
    """Mark a route that only reads (and may append an access-log row): it runs without a
    transaction. At READ COMMITTED every statement takes its own snapshot anyway, so BEGIN and
    COMMIT would buy nothing but two round trips. Never for a route that takes locks."""
    setattr(endpoint, READ_ONLY_ATTR, True)
    return endpoint


def _reads_only(request: Request) -> bool:
    route = request.scope.get("route")
    return bool(getattr(getattr(route, "endpoint", None), READ_ONLY_ATTR, False))


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """The request's one transaction: committed before the response is sent, else rolled back."""
    maker: async_sessionmaker[AsyncSession] = (
        request.app.state.autocommit_sessionmaker
        if _reads_only(request)
        else request.app.state.sessionmaker
    )
    async with maker() as session:
        try:
            yield session
        except BaseException:
            await session.rollback()
            raise
        else:
            await session.commit()


SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]
