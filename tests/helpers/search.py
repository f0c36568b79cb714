"""Search in tests: a new appeal is searchable once the worker built its documents (issue 15)."""

from __future__ import annotations

from appeals_api.appeals.search import repository as search_repository
from appeals_api.config import Settings
from appeals_api.db import make_engine, make_sessionmaker


async def index_new_appeals(settings: Settings) -> int:
    """What the worker's `refresh_search` does a tick after intake, at once; how many."""
    engine = make_engine(settings)
    try:
        async with make_sessionmaker(engine)() as session, session.begin():
            return await search_repository.index_registered(session, batch=1_000_000)
    finally:
        await engine.dispose()
