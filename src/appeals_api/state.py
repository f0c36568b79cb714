"""The application's state, typed: what `create_app` and its lifespan put on `app.state`, and
the dependencies routes take from it (`SettingsDep`, `NowDep`)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, cast

from fastapi import Depends, Request
from starlette.datastructures import State

from appeals_api.config import Settings

if TYPE_CHECKING:  # the domains' types; importing them here at run time would be circular
    import asyncpg
    from prometheus_client import CollectorRegistry
    from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

    from appeals_api.appeals.reading.service import DispatchStatusSource
    from appeals_api.calendar.service import CalendarCache, CalendarListener
    from appeals_api.clock import Clock
    from appeals_api.ops.metrics import HttpMetrics
    from appeals_api.ratelimit import RateLimiter


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
    # Set by the lifespan, for as long as the app serves.
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    autocommit_sessionmaker: async_sessionmaker[AsyncSession]
    pool: asyncpg.Pool
    calendars: CalendarCache
    limiter: RateLimiter


def state_of(request: Request) -> AppState:
    return cast(AppState, request.app.state)


def _settings(request: Request) -> Settings:
    return state_of(request).settings


def _now(request: Request) -> datetime:
    return state_of(request).clock()


SettingsDep = Annotated[Settings, Depends(_settings)]
NowDep = Annotated[datetime, Depends(_now)]
