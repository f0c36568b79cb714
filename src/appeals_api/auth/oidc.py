"""People signed in through the company's OpenID Connect provider: `Authorization: Bearer <JWT>`
beside API keys.

A token is verified against the issuer's published keys (JWKS, fetched with httpx and kept);
only RS256 and ES256 are accepted, each with a key of its own type, so neither `none` nor an
HMAC "signed" with a public key passes. `iss`, `aud`, `exp` and `nbf` are checked with a small
leeway. The person's role, unit and name come from configurable claims; their id is derived
from (issuer, subject), so it is the same on every token they get, and everything that keys off
a principal's id (idempotency, rate limits, the access log of R-8.2, signed links) works for a
person as for a key.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx
import jwt

from appeals_api.auth.roles import Principal, Role
from appeals_api.config import Settings
from appeals_api.errors import Forbidden, Unauthorized

# Signatures by the issuer's private key only: never `none`, never HS* (a public key as secret).
ALGORITHMS = frozenset({"RS256", "ES256"})
# The algorithm each key type signs with here (a JWK without `alg` is taken by its type).
_KEY_ALGORITHM: dict[tuple[Any, Any], str] = {("RSA", None): "RS256", ("EC", "P-256"): "ES256"}
# A person's id: the same (issuer, subject) always gives the same id.
PEOPLE = uuid.UUID("6f1d4c52-3c1e-4b8e-9d0a-1a7f6e2b9c41")
BAD_TOKEN = "The sign-in token is not valid: sign in again."  # noqa: S105 (a message)
REQUIRED_CLAIMS = ("exp", "iss", "aud", "sub")


def looks_like_jwt(token: str) -> bool:
    """A compact JWS has three dot-separated parts; an API key has no dot."""
    return token.count(".") == 2


@dataclass(frozen=True, slots=True)
class Person:
    """A verified token's person: the principal they act as, and who they are at the issuer."""

    principal: Principal
    issuer: str
    subject: str


def person_id(issuer: str, subject: str) -> uuid.UUID:
    return uuid.uuid5(PEOPLE, f"{issuer}\n{subject}")


@dataclass
class KeySet:
    """The issuer's JWKS, kept `ttl` seconds; a `kid` it lacks fetches it again (the issuer
    rotated its keys), but at most once per `min_refresh` seconds, whatever the tokens say."""

    url: str
    ttl: float
    min_refresh: float
    timeout: float
    keys: dict[str, jwt.PyJWK] = field(default_factory=dict)
    fetched_at: float | None = None
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    @classmethod
    def of(cls, settings: Settings) -> KeySet:
        assert settings.oidc_jwks_url is not None
        return cls(
            url=settings.oidc_jwks_url,
            ttl=settings.oidc_jwks_ttl_seconds,
            min_refresh=settings.oidc_jwks_min_refresh_seconds,
            timeout=settings.oidc_jwks_timeout_seconds,
        )

    async def key(self, kid: str) -> jwt.PyJWK | None:
        """The key named `kid`, fetching the set when it is stale or lacks it (rotation)."""
        if kid in self.keys and not self._older_than(self.ttl):
            return self.keys[kid]
        async with self.lock:  # one fetch at a time; the waiters then see its result
            if (kid not in self.keys or self._older_than(self.ttl)) and self._older_than(
                self.min_refresh
            ):
                await self._fetch()
        return self.keys.get(kid)

    def _older_than(self, seconds: float) -> bool:
        return self.fetched_at is None or time.monotonic() - self.fetched_at >= seconds

    async def _fetch(self) -> None:
        self.fetched_at = time.monotonic()  # a failed fetch counts too: the floor holds
        try:
            async with httpx.AsyncClient(timeout=self.timeout) as client:
                answer = await client.get(self.url)
                answer.raise_for_status()
                published = answer.json().get("keys", [])
        except (httpx.HTTPError, ValueError, AttributeError):
            return  # keep the keys we had; a token signed by a new one waits for the next fetch
        self.keys = dict(_usable(published))


def _usable(published: Any) -> list[tuple[str, jwt.PyJWK]]:
    """The signing keys of the set that name a `kid` and sign with an algorithm we accept."""
    found = []
    for data in published if isinstance(published, list) else []:
        if not isinstance(data, dict) or not isinstance(data.get("kid"), str):
            continue
        if data.get("use", "sig") != "sig":
            continue
        algorithm = data.get("alg") or _KEY_ALGORITHM.get((data.get("kty"), data.get("crv")))
        if algorithm not in ALGORITHMS:
            continue
        try:
            found.append((data["kid"], jwt.PyJWK(data, algorithm=algorithm)))
        except jwt.PyJWTError:
            continue
    return found


async def verify(token: str, settings: Settings, keys: KeySet, *, now: datetime) -> Person:
    """The person a token names: 401 for a token that is not valid (signature, algorithm, key,
    issuer, audience, time by the service's clock), 403 for a role that is not one of ours or an
    executor without a unit."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        raise Unauthorized(BAD_TOKEN) from None
    algorithm, kid = header.get("alg"), header.get("kid")
    if algorithm not in ALGORITHMS or not isinstance(kid, str):
        raise Unauthorized(BAD_TOKEN)
    key = await keys.key(kid)
    if key is None or key.algorithm_name != algorithm:
        raise Unauthorized(BAD_TOKEN)
    try:
        claims = jwt.decode(
            token, key.key, algorithms=[algorithm], audience=settings.oidc_audience,
            issuer=settings.oidc_issuer, leeway=settings.oidc_leeway_seconds,
            options={"require": list(REQUIRED_CLAIMS), "verify_exp": False,
                     "verify_nbf": False, "verify_iat": False},
        )  # fmt: skip
    except jwt.PyJWTError:
        raise Unauthorized(BAD_TOKEN) from None
    if not in_time(claims, now.timestamp(), settings.oidc_leeway_seconds):
        raise Unauthorized(BAD_TOKEN)
    return person_of(claims, settings)


def in_time(claims: Mapping[str, Any], now: float, leeway: float) -> bool:
    """`exp` not passed and `nbf` (if any) reached, within the leeway, by the service's clock
    (`clock.py`: the only source of now), not the library's."""
    exp: Any = claims.get("exp")
    nbf: Any = claims.get("nbf", now)
    if not _number(exp) or not _number(nbf):
        return False
    return bool(now <= exp + leeway and now >= nbf - leeway)


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def person_of(claims: Mapping[str, Any], settings: Settings) -> Person:
    """Role, unit and name from the configured claims (a unit binds an executor only)."""
    role_value = claims.get(settings.oidc_role_claim)
    try:
        role = Role(str(role_value))
    except ValueError:
        raise Forbidden(f"The sign-in gives no role of this service ({role_value!r}).") from None
    unit = claims.get(settings.oidc_unit_claim) if role is Role.EXECUTOR else None
    if role is Role.EXECUTOR and (not isinstance(unit, str) or not unit.strip()):
        raise Forbidden("An executor must belong to a unit: the sign-in names none.")
    issuer, subject = str(claims["iss"]), str(claims["sub"])
    name = claims.get(settings.oidc_name_claim)
    shown = name.strip() if isinstance(name, str) and name.strip() else subject
    principal = Principal(
        id=person_id(issuer, subject), name=shown[:200], role=role, unit_code=unit
    )
    return Person(principal=principal, issuer=issuer, subject=subject)
