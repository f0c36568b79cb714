"""The app with settings of a test's own, and what the app declares."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from typing import Any

import httpx
from fastapi.routing import APIRoute

from appeals_api.clock import FrozenClock
from appeals_api.config import Settings
from appeals_api.main import create_app


@asynccontextmanager
async def app_client(
    settings: Settings, clock: FrozenClock, **overrides: object
) -> AsyncIterator[httpx.AsyncClient]:
    """A client of an app of its own, started with `settings` changed by `overrides`."""
    app = create_app(settings.model_copy(update=overrides), clock)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


def api_routes(routes: Iterable[Any]) -> list[APIRoute]:
    """Every APIRoute of the app, also those inside included routers."""
    out: list[APIRoute] = []
    for route in routes:
        if isinstance(route, APIRoute):
            out.append(route)
        elif hasattr(route, "original_router"):
            out += api_routes(route.original_router.routes)
    return out


def route_roles(route: APIRoute) -> frozenset[Any] | None:
    """The roles a route admits (its `require`/`require_key` dependency), None when public."""
    from appeals_api.auth.dependencies import declared_roles

    stack = list(route.dependant.dependencies)
    while stack:
        dependency = stack.pop()
        roles = declared_roles(dependency.call)
        if roles is not None:
            return roles
        stack.extend(dependency.dependencies)
    return None
