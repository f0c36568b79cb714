"""Deny by default: every route names the roles it allows through `require(...)`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import Request

from appeals_api.auth import service
from appeals_api.auth.roles import Principal, Role
from appeals_api.db import SessionDep
from appeals_api.errors import Forbidden, Unauthorized

ROLES_ATTR = "allowed_roles"


def _bearer(request: Request) -> str:
    header = request.headers.get("authorization")
    if not header:
        raise Unauthorized("An API key is required: Authorization: Bearer <key>.")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("Use Authorization: Bearer <key>.")
    return token.strip()


def require(*roles: Role) -> Callable[..., Awaitable[Principal]]:
    """A dependency that admits only a valid key of one of `roles` (401 without, 403 wrong role)."""
    allowed = frozenset(roles)

    async def dependency(request: Request, session: SessionDep) -> Principal:
        token = _bearer(request)
        principal = await service.authenticate(session, token=token, now=request.app.state.clock())
        if principal is None:
            raise Unauthorized("The API key is unknown, revoked or expired.")
        if principal.role not in allowed:
            raise Forbidden(f"The role {principal.role.value!r} may not do this.")
        request.state.principal = principal
        return principal

    setattr(dependency, ROLES_ATTR, allowed)
    return dependency


def declared_roles(call: Any) -> frozenset[Role] | None:
    roles = getattr(call, ROLES_ATTR, None)
    return roles if isinstance(roles, frozenset) else None
