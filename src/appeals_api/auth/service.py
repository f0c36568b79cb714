"""API keys: made by the CLI, stored only as SHA-256 hashes, checked on every request."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import datetime
from typing import Any

import asyncpg
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from appeals_api.auth import oidc, repository
from appeals_api.auth.models import ApiKey
from appeals_api.auth.roles import Principal, Role
from appeals_api.config import Settings
from appeals_api.errors import Forbidden, NotFound, Unprocessable, details

KEY_PREFIX = "apk_"
UNKNOWN_KEY = "The API key is unknown, revoked or expired."


def hash_key(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def create_key(
    session: AsyncSession,
    *,
    name: str,
    role: Role,
    unit_code: str | None,
    expires_at: datetime | None,
) -> tuple[ApiKey, str]:
    """Make a key; an executor key must name an existing unit, and only an executor key may."""
    unit_code = unit_code.upper() if unit_code else unit_code  # `eco` is the unit `ECO`
    if role is Role.EXECUTOR and not unit_code:
        raise Unprocessable("an executor key must be bound to a unit (--unit CODE)")
    if role is not Role.EXECUTOR and unit_code:
        raise Unprocessable("only executor keys are bound to a unit")
    if unit_code and not await repository.unit_exists(session, unit_code):
        raise NotFound(f"unit {unit_code!r} does not exist")
    token = KEY_PREFIX + secrets.token_urlsafe(32)
    key = ApiKey(
        id=uuid.uuid4(),
        name=name,
        role=role.value,
        unit_code=unit_code,
        key_hash=hash_key(token),
        key_prefix=token[: len(KEY_PREFIX) + 6],
        expires_at=expires_at,
    )
    session.add(key)
    await session.flush()
    return key, token


async def list_keys(session: AsyncSession) -> list[ApiKey]:
    return list((await session.scalars(select(ApiKey).order_by(ApiKey.created_at))).all())


async def revoke_key(session: AsyncSession, *, key_id: uuid.UUID, now: datetime) -> ApiKey:
    """Revoke a key; it stops working on the next request."""
    key = await session.get(ApiKey, key_id)
    if key is None:
        raise NotFound(f"key {key_id} does not exist")
    if key.revoked_at is None:
        key.revoked_at = now
        await session.flush()
    return key


async def authenticate(session: AsyncSession, *, token: str, now: datetime) -> Principal | None:
    """The principal behind a bearer token, or None if it is unknown, revoked or expired.

    Looked up on every request, never cached: a revoked key stops working at once."""
    row = await repository.valid_key(session, key_hash=hash_key(token), now=now)
    if row is None:
        return None
    return principal_of(row)


async def authenticate_person(
    pool: asyncpg.Pool, *, token: str, settings: Settings, keys: oidc.KeySet, now: datetime
) -> Principal:
    """The person a verified JWT names, recorded as seen (`people`); 403 for an executor whose
    unit is not one of ours."""
    person = await oidc.verify(token, settings, keys, now=now)
    seen = await repository.person_seen(
        pool, person.principal, issuer=person.issuer, subject=person.subject, now=now
    )
    if not seen:
        raise Forbidden(f"The unit {person.principal.unit_code!r} of the sign-in does not exist.")
    return person.principal


async def principal_by_key_id(
    session: AsyncSession, *, key_id: uuid.UUID, now: datetime
) -> Principal | None:
    """The principal of a key still valid now (a signed link's minter), else None."""
    row = await repository.valid_key_by_id(session, key_id=key_id, now=now)
    return principal_of(row) if row is not None else None


def principal_of(row: Any) -> Principal:
    """A key's row (id, name, role, unit_code) as the principal acting with it."""
    return Principal(id=row.id, name=row.name, role=Role(row.role), unit_code=row.unit_code)


def admitted(principal: Principal, allowed: frozenset[Role]) -> Principal:
    """403 for a valid key of a role the route does not admit."""
    if principal.role not in allowed:
        raise Forbidden(details.gettext("The role '{role}' may not do this.", role=principal.role))
    return principal
