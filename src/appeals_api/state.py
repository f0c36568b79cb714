"""The application's state, typed: what `create_app` and its lifespan put on `app.state`
(routes take its settings and clock through `deps.py`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from fastapi import Request
from starlette.datastructures import State

from appeals_api.config import Settings

if TYPE_CHECKING:  # the domains' types; importing them here at run time would be circular
    import asyncpg
    from prometheus_client import CollectorRegistry
    from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

    from appeals_api.appeals.reading.service import DispatchStatusSource
    from appeals_api.auth.oidc import KeySet
    from appeals_api.calendar.service import CalendarCache, CalendarListener
    from appeals_api.clock import Clock
    from appeals_api.ops.metrics import HttpMetrics
    from appeals_api.ratelimit import RateLimiter
    from appeals_api.replica.sessions import Replica


class AppState(State):
    """`app.state`, with the type of everything on it."""

    # Set by create_app.
    settings: Settings
    clock: Clock
    metrics: HttpMetrics
    metrics_registry: CollectorRegistry
    # The joints between domains that must not import each other (ARCHITECTURE.md).
    on_calendar_change: CalendarListener
    dispatch_status: DispatchStatusSource
    # The OIDC issuer's keys (`auth/oidc.py`), None when OIDC is not configured.
    oidc_keys: KeySet | None
    # Set by the lifespan, for as long as the app serves.
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    autocommit_sessionmaker: async_sessionmaker[AsyncSession]
    pool: asyncpg.Pool
    # The read replica of statistics and reports, None when not configured (issue 18).
    replica: Replica | None
    calendars: CalendarCache
    limiter: RateLimiter


def state_of(request: Request) -> AppState:
    return cast(AppState, request.app.state)
