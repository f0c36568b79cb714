"""Route dependencies for what a request reads of the running app: its settings and its clock.

One alias per recurring need instead of a `_settings(request)` helper in every router. The
clock is read once per request (FastAPI caches a dependency within a request), so `NowDep` and
`TodayDep` agree. Async, so that none of them costs a hop to the thread pool.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import Depends, Request

from appeals_api.auth.dependencies import require
from appeals_api.auth.roles import ALL_ROLES, Principal, Role
from appeals_api.config import Settings
from appeals_api.state import state_of


async def _settings(request: Request) -> Settings:
    return state_of(request).settings


async def _now(request: Request) -> datetime:
    return state_of(request).clock()


SettingsDep = Annotated[Settings, Depends(_settings)]
NowDep = Annotated[datetime, Depends(_now)]


async def _today(settings: SettingsDep, now: NowDep) -> date:
    return now.astimezone(settings.tz).date()


# The Tashkent date of the request.
TodayDep = Annotated[date, Depends(_today)]

# A valid key of any role; an admin's key.
AnyKey = Annotated[Principal, Depends(require(*ALL_ROLES))]
AdminKey = Annotated[Principal, Depends(require(Role.ADMIN))]
