"""Intake with and without the search index's work, side by side (issue 15).

The worker builds a new appeal's search row from its `appeal.registered` event
(`appeals.search.repository.index_registered`), skipping the feed cursor while another
transaction holds it. `paused(url)` holds it during a run, then gives the run's events their
feed positions and moves the cursor past them before letting it go: the worker never builds
that run's rows, so the next run pays only for its own.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import text

from appeals_api.config import Settings
from appeals_api.db import make_engine, make_sessionmaker
from appeals_api.events import service as events_service


@asynccontextmanager
async def paused(url: str) -> AsyncIterator[None]:
    engine = make_engine(Settings(database_url=url))
    try:
        async with make_sessionmaker(engine)() as session, session.begin():
            await session.execute(text("SELECT position FROM search_feed_cursor FOR UPDATE"))
            yield
            await events_service.sequence_pending(session, batch=10_000_000)
            await session.execute(
                text("UPDATE search_feed_cursor SET position = :head"),
                {"head": await events_service.head(session)},
            )
    finally:
        await engine.dispose()
