"""Short-lived signed links: a page opened in a browser without an Authorization header.

An authorised call mints a link for one path, bound to the key that minted it and its role:
`mint` signs (path, expiry, key id, role) with HMAC-SHA256 under `APPEALS_LINK_SECRET`;
`verify` checks a link's signature and expiry. The route that honours a link looks the key up
again (revoked or expired: refused) and passes its role to `verify`, so a link shows what its
minter would see now, never more. Letters and documents use the same two functions.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlencode
from uuid import UUID

from appeals_api.config import Settings

# Without APPEALS_LINK_SECRET a process signs with its own random secret: its links die with it
# and are refused by the other API processes (README).
_PROCESS_SECRET = secrets.token_bytes(32)


def secret_of(settings: Settings) -> bytes:
    configured = settings.link_secret
    return configured.get_secret_value().encode() if configured else _PROCESS_SECRET


def _signature(secret: bytes, path: str, expires: int, key_id: UUID, role: str) -> str:
    message = f"{path}\n{expires}\n{key_id}\n{role}".encode()
    digest = hmac.new(secret, message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


@dataclass(frozen=True)
class Link:
    """What a signed link carries in its query: expiry (Unix seconds), key id, signature."""

    exp: int
    kid: UUID
    sig: str

    def query(self) -> str:
        return urlencode({"exp": self.exp, "kid": str(self.kid), "sig": self.sig})


def mint(path: str, *, expires: datetime, key_id: UUID, role: str, secret: bytes) -> Link:
    """A link to `path` valid until `expires` for the holder of `key_id` in `role`."""
    exp = int(expires.timestamp())
    return Link(exp=exp, kid=key_id, sig=_signature(secret, path, exp, key_id, role))


def expired(link: Link, now: datetime) -> bool:
    return now.timestamp() >= link.exp


def verify(path: str, link: Link, *, role: str, secret: bytes) -> bool:
    """True when `link` was minted for `path` by this key in `role` (constant-time)."""
    expected = _signature(secret, path, link.exp, link.kid, role)
    return hmac.compare_digest(expected, link.sig)


def signed_url(
    base: str,
    path: str,
    query: str,
    *,
    now: datetime,
    ttl_seconds: int,
    key_id: UUID,
    role: str,
    secret: bytes,
) -> tuple[str, int]:
    """The full URL of a link to `path` (its page's own `query` first) and its expiry."""
    link = mint(
        path, expires=now + timedelta(seconds=ttl_seconds), key_id=key_id, role=role, secret=secret
    )
    return f"{base.rstrip('/')}{path}?{query + '&' if query else ''}{link.query()}", link.exp
