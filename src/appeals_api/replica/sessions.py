"""Sessions on the replica for statistics and reports, with the lag and the fall-back."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Annotated, Any

from fastapi import Depends, Request, Response
from fastapi.routing import APIRoute
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from appeals_api.config import Settings
from appeals_api.db import make_engine, make_sessionmaker, open_session
from appeals_api.replica import repository
from appeals_api.state import state_of

logger = logging.getLogger("appeals_api.replica")

LAG_HEADER = "X-Replica-Lag-Seconds"
_LAG_STATE = "replica_lag"
LAG_HEADER_DOC = {
    "description": "Present when the answer was read from the read replica "
    "(APPEALS_DATABASE_REPLICA_URL): how many seconds the replica's data is behind the "
    "primary's (0 when it has replayed all it received). Absent: read from the primary.",
    "schema": {"type": "number", "minimum": 0},
}


class Replica:
    """The replica's engine (its own pool, the primary's settings otherwise)."""

    def __init__(self, settings: Settings, url: str) -> None:
        self.timeout = settings.database_replica_timeout_seconds
        self.engine: AsyncEngine = make_engine(
            settings.model_copy(update={"database_url": url}), serving=True
        )
        self.sessionmaker: async_sessionmaker[AsyncSession] = make_sessionmaker(self.engine)

    @classmethod
    def of(cls, settings: Settings) -> Replica | None:
        url = settings.database_replica_url
        return cls(settings, url) if url else None

    async def open(self) -> tuple[AsyncSession, float] | None:
        """A session on the replica and its lag in seconds; None (logged) if the replica
        does not answer in time."""
        session = self.sessionmaker()
        try:
            async with asyncio.timeout(self.timeout):
                lag = await repository.lag_seconds(session)
        except (OSError, DBAPIError, TimeoutError) as exc:
            await session.close()
            logger.warning("replica: not answering, read from the primary (%s)", type(exc).__name__)
            return None
        return session, lag


async def replica_lag(replica: Replica) -> float:
    """The replica's lag in seconds (for a readiness check); raises if it does not answer
    within its time-out."""
    async with replica.sessionmaker() as session, asyncio.timeout(replica.timeout):
        return await repository.lag_seconds(session)


async def report_session(request: Request) -> AsyncIterator[AsyncSession]:
    """A read-only session for statistics and reports: on the replica if one is configured and
    answers (its lag noted for `ReplicaRoute`), else the request's own session on the
    primary."""
    replica = state_of(request).replica
    opened = await replica.open() if replica is not None else None
    if opened is None:
        async with open_session(request) as session:
            yield session
        return
    session, lag = opened
    setattr(request.state, _LAG_STATE, lag)
    try:
        yield session
    finally:
        await session.close()  # read only: nothing to commit, the transaction is rolled back


ReportSessionDep = Annotated[AsyncSession, Depends(report_session, scope="function")]


class ReplicaRoute(APIRoute):
    """A route whose answer says how far behind the primary the replica it read was
    (`X-Replica-Lag-Seconds`, absent when read from the primary): on every answer, files
    included."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        super().__init__(path, endpoint, **kwargs)
        ok = dict(self.responses.get(200, {}))
        ok["headers"] = {**ok.get("headers", {}), LAG_HEADER: LAG_HEADER_DOC}
        self.responses = {**self.responses, 200: ok}

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def with_lag(request: Request) -> Response:
            response = await handler(request)
            lag = getattr(request.state, _LAG_STATE, None)
            if lag is not None:
                response.headers[LAG_HEADER] = f"{lag:.3f}"
            return response

        return with_lag
