"""All SQL of API keys' checks: the one statement fragment that says whether a key is valid now.

Every route checks its key with `key_ctes`: the hot statements (intake, read by id) inline it,
every other route runs it through `authenticate` in its session. The key's last use is written
at most once a minute and never waited for: `SKIP LOCKED` leaves the row to whichever request
already holds it, so no request ever queues behind `api_keys` (ARCHITECTURE.md, locks).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

# last_used_at is refreshed at most this often, so reads do not write on every request.
LAST_USED_GRANULARITY = timedelta(minutes=1)

_KEY_CTES = """k AS (
    SELECT id, name, role, unit_code FROM api_keys
    WHERE key_hash = {hash} AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > {now})
),
key_used AS (
    UPDATE api_keys SET last_used_at = {now}
    WHERE id IN (
        SELECT id FROM api_keys
        WHERE id IN (SELECT id FROM k)
          AND (last_used_at IS NULL OR last_used_at < {stale})
        FOR NO KEY UPDATE SKIP LOCKED
    )
)"""


def key_ctes(param: Callable[[str, str], str]) -> str:
    """`k` (id, name, role, unit_code of the valid key, or no row) and its last-use update."""
    return _KEY_CTES.format(
        hash=param("key_hash", "varchar"),
        now=param("now", "timestamptz"),
        stale=param("stale", "timestamptz"),
    )


def key_values(key_hash: str, now: datetime) -> dict[str, object]:
    return {"key_hash": key_hash, "now": now, "stale": now - LAST_USED_GRANULARITY}


_AUTHENTICATE_SQL = "WITH {} SELECT id, name, role, unit_code FROM k".format(  # noqa: S608
    key_ctes(lambda name, cast: f"CAST(:{name} AS {cast})")
)
_AUTHENTICATE = text(_AUTHENTICATE_SQL)


async def valid_key(session: AsyncSession, *, key_hash: str, now: datetime) -> object | None:
    """The key's row (id, name, role, unit_code) if it is valid now, else None."""
    return (await session.execute(_AUTHENTICATE, key_values(key_hash, now))).one_or_none()


_UNIT_EXISTS = text("SELECT EXISTS (SELECT FROM units WHERE code = :code)")


async def unit_exists(session: AsyncSession, code: str) -> bool:
    """An executor's key names its unit (the units domain's table; read, never imported)."""
    return bool(await session.scalar(_UNIT_EXISTS, {"code": code}))


_KEY_BY_ID = text(
    "SELECT id, name, role, unit_code FROM api_keys WHERE id = :id AND revoked_at IS NULL"
    " AND (expires_at IS NULL OR expires_at > :now)"
)


async def valid_key_by_id(session: AsyncSession, *, key_id: object, now: datetime) -> object | None:
    """The key's row if it is valid now: a signed link's minter, checked again when it is used."""
    return (await session.execute(_KEY_BY_ID, {"id": key_id, "now": now})).one_or_none()
