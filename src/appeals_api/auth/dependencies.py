"""Deny by default: every route names the roles it allows through `require(...)`, or, where
its own statement checks the key (intake, read by id), `require_key(...)`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Annotated, Any
from uuid import UUID

from fastapi import Query, Request
from sqlalchemy.ext.asyncio import AsyncSession

from appeals_api import links
from appeals_api.auth import oidc, service
from appeals_api.auth.roles import Principal, Role
from appeals_api.auth.service import UNKNOWN_KEY
from appeals_api.db import SessionDep, open_session
from appeals_api.errors import Forbidden, Unauthorized
from appeals_api.state import state_of

ROLES_ATTR = "allowed_roles"
HOT_ATTR = "checked_in_statement"


def _bearer(request: Request) -> str:
    header = request.headers.get("authorization")
    if not header:
        raise Unauthorized("An API key or sign-in token is required: Authorization: Bearer <key>.")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("Use Authorization: Bearer <key>.")
    return token.strip()


def require(*roles: Role) -> Callable[..., Awaitable[Principal]]:
    """A dependency that admits only a valid key of one of `roles` (401 without, 403 wrong role)."""
    allowed = frozenset(roles)

    async def dependency(request: Request, session: SessionDep) -> Principal:
        return await authorize(session, Credentials(_bearer(request), allowed), request)

    setattr(dependency, ROLES_ATTR, allowed)
    return dependency


@dataclass(frozen=True)
class Credentials:
    """A bearer token not yet checked, and the roles the route admits."""

    token: str
    allowed: frozenset[Role]
    person: Principal | None = None  # a verified OIDC token's person (`person_behind`)

    @cached_property
    def key_hash(self) -> str:
        return service.hash_key(self.token)

    @property
    def identity(self) -> str:
        """Who calls, the same on every request of theirs (a person's tokens change, their id
        does not): what rate limits and retries key off."""
        return f"person:{self.person.id}" if self.person else self.key_hash


async def person_behind(request: Request, token: str) -> Principal | None:
    """The person a JWT names (401/403 when it does not hold), or None: not a JWT, or OIDC not
    configured, so the token goes the API key's way."""
    state = state_of(request)
    if state.oidc_keys is None or not oidc.looks_like_jwt(token):
        return None
    return await service.authenticate_person(
        state.pool, token=token, settings=state.settings, keys=state.oidc_keys, now=state.clock()
    )


BAD_LINK = "The link is not valid: ask for a new one."
LinkExp = Annotated[int | None, Query(ge=0, le=2**40, description="A signed link's expiry.")]
LinkKid = Annotated[UUID | None, Query(description="A signed link's key id.")]
LinkSig = Annotated[str | None, Query(max_length=100, description="A signed link's signature.")]


def require_or_link(*roles: Role) -> Callable[..., Awaitable[Principal]]:
    """Like `require`, or a signed link (`exp`, `kid`, `sig`) minted for this very path by a key
    of one of `roles`: a page opened in a browser without a header (`links`). The link's key is
    looked up again, so it shows what its minter may see now: 401 expired or the key gone, 403
    forged, for another path, or of a role the route does not admit."""
    allowed = frozenset(roles)

    async def dependency(
        request: Request,
        session: SessionDep,
        exp: LinkExp = None,
        kid: LinkKid = None,
        sig: LinkSig = None,
    ) -> Principal:
        if sig is None:
            return await authorize(session, Credentials(_bearer(request), allowed), request)
        if exp is None or kid is None:
            raise Forbidden(BAD_LINK)
        principal = await link_holder(
            session, request, path=request.url.path, link=links.Link(exp=exp, kid=kid, sig=sig)
        )
        if principal.role not in allowed:
            raise Forbidden(BAD_LINK)
        request.state.principal = principal
        return principal

    setattr(dependency, ROLES_ATTR, allowed)
    return dependency


async def link_holder(
    session: AsyncSession, request: Request, *, path: str, link: links.Link
) -> Principal:
    """The minter of a signed link to `path`, if it still holds."""
    state = state_of(request)
    now = state.clock()
    if links.expired(link, now):
        raise Unauthorized("The link has expired: ask for a new one.")
    principal = await service.principal_by_key_id(session, key_id=link.kid, now=now)
    if principal is None:
        raise Unauthorized("The key that made this link is no longer valid.")
    secret = links.secret_of(state.settings)
    if not links.verify(path, link, role=principal.role.value, secret=secret):
        raise Forbidden(BAD_LINK)
    return principal


def require_key(*roles: Role) -> Callable[..., Awaitable[Credentials]]:
    """Like `require`, for a hot route that checks the key inside its own statement: only the
    header is parsed here (401 without one); `authorize` does the full check when it falls back."""
    allowed = frozenset(roles)

    async def dependency(request: Request) -> Credentials:  # async: no thread pool hop
        token = _bearer(request)
        return Credentials(token, allowed, await person_behind(request, token))

    setattr(dependency, ROLES_ATTR, allowed)
    setattr(dependency, HOT_ATTR, True)
    return dependency


async def authorize(session: AsyncSession, credentials: Credentials, request: Request) -> Principal:
    principal = credentials.person or await person_behind(request, credentials.token)
    if principal is None:
        principal = await service.authenticate(
            session, token=credentials.token, now=state_of(request).clock()
        )
    if principal is None:
        raise Unauthorized(UNKNOWN_KEY)
    return admit(principal, credentials.allowed, request)


def admit(principal: Principal, allowed: frozenset[Role], request: Request) -> Principal:
    """403 for a valid key of a role the route does not admit; else the request's principal."""
    request.state.principal = service.admitted(principal, allowed)
    return principal


async def check_key_before_validation(request: Request) -> None:
    """A route's key is checked before any validation detail is answered, so a stranger gets 401
    and a role not admitted 403 first, as everywhere (deny first): a `require_key` route checks
    its key after FastAPI validated the request, and the refusal of unknown query parameters
    (`query_params`) runs before a `require` route's key check."""
    if getattr(request.state, "principal", None) is not None:
        return  # the key was checked already
    dependant = getattr(request.scope.get("route"), "dependant", None)
    pending = list(dependant.dependencies) if dependant is not None else []
    while pending:
        dependency = pending.pop(0)
        allowed = declared_roles(dependency.call)
        if allowed is not None:
            async with open_session(request) as session:
                await authorize(session, Credentials(_bearer(request), allowed), request)
            return
        pending.extend(dependency.dependencies)


def declared_roles(call: Any) -> frozenset[Role] | None:
    roles = getattr(call, ROLES_ATTR, None)
    return roles if isinstance(roles, frozenset) else None
