"""All SQL of API keys' checks: the one statement fragment that says whether a key is valid now.

Every route checks its key with `key_ctes`: the hot statements (intake, read by id) inline it,
every other route runs it through `authenticate` in its session. The key's last use is written
at most once a minute and never waited for: `SKIP LOCKED` leaves the row to whichever request
already holds it, so no request ever queues behind `api_keys` (ARCHITECTURE.md, locks).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import asyncpg
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from appeals_api.auth.roles import Principal

# last_used_at is refreshed at most this often, so reads do not write on every request.
LAST_USED_GRANULARITY = timedelta(minutes=1)

_KEYS_CTES = """k AS (
    SELECT q.pos, a.id, a.name, a.role, a.unit_code FROM {source} AS q
    JOIN api_keys AS a ON a.key_hash = q.key_hash AND a.revoked_at IS NULL
                      AND (a.expires_at IS NULL OR a.expires_at > q.now)
    UNION ALL
    -- A person whose token the request's dependency verified (`oidc`): no key to look up.
    SELECT q.pos, q.person_id, q.person_name, q.person_role, q.person_unit FROM {source} AS q
    WHERE q.person_id IS NOT NULL
),
key_used AS (
    UPDATE api_keys SET last_used_at = u.now
    FROM (
        SELECT x.id, w.now FROM api_keys AS x
        JOIN (SELECT k.id, max(q.now) AS now, max(q.stale) AS stale
              FROM k JOIN {source} AS q USING (pos) GROUP BY k.id) AS w ON w.id = x.id
        WHERE x.last_used_at IS NULL OR x.last_used_at < w.stale
        FOR NO KEY UPDATE OF x SKIP LOCKED
    ) AS u
    WHERE api_keys.id = u.id
)"""

# The columns `keys_ctes`' source gives, one row per request: `pos` tells them apart.
KEY_SOURCE_COLUMNS = (
    "pos bigint, key_hash varchar, now timestamptz, stale timestamptz, person_id uuid, "
    "person_name varchar, person_role varchar, person_unit varchar"
)


def keys_ctes(source: str) -> str:
    """`k` (pos, id, name, role, unit_code: for each request of `source` its valid key or its
    verified person, or no row) and the keys' last-use update. `source`: a FROM item with
    KEY_SOURCE_COLUMNS (intake checks a batch of requests' keys at once)."""
    return _KEYS_CTES.format(source=source)


def key_ctes(param: Callable[[str, str], str]) -> str:
    """`keys_ctes` of one request (`pos` 1), its values as parameters (`key_values`)."""
    one = (
        f"(SELECT 1::bigint AS pos, {param('key_hash', 'varchar')} AS key_hash, "
        f"{param('now', 'timestamptz')} AS now, {param('stale', 'timestamptz')} AS stale, "
        f"{param('person_id', 'uuid')} AS person_id, "
        f"{param('person_name', 'varchar')} AS person_name, "
        f"{param('person_role', 'varchar')} AS person_role, "
        f"{param('person_unit', 'varchar')} AS person_unit)"
    )
    return keys_ctes(one)


def key_values(key_hash: str, now: datetime, person: Principal | None = None) -> dict[str, object]:
    """The values of `key_ctes`: a key's hash, or a verified person (whose hash matches none)."""
    return {
        "key_hash": key_hash,
        "now": now,
        "stale": now - LAST_USED_GRANULARITY,
        "person_id": person.id if person else None,
        "person_name": person.name if person else None,
        "person_role": person.role.value if person else None,
        "person_unit": person.unit_code if person else None,
    }


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
    " UNION ALL SELECT id, name, role, unit_code FROM people WHERE id = :id"
)


async def valid_key_by_id(session: AsyncSession, *, key_id: object, now: datetime) -> object | None:
    """The key's row if it is valid now, or the person's as their last token named them: a
    signed link's minter, checked again when it is used."""
    return (await session.execute(_KEY_BY_ID, {"id": key_id, "now": now})).one_or_none()


# Who a person is, as their last token named them, written at most once a minute (or when it
# changed), in a statement of its own so that no request's transaction holds the row. It answers
# whether the executor's unit is one of ours.
_SEEN = """WITH u AS (
    SELECT CAST($6 AS varchar) IS NULL OR EXISTS (SELECT FROM units WHERE code = $6) AS known
),
seen AS (
    INSERT INTO people AS p (id, issuer, subject, name, role, unit_code, first_seen_at,
                             last_seen_at)
    SELECT $1, $2, $3, $4, $5, $6, $7, $7 FROM u WHERE u.known
    ON CONFLICT (id) DO UPDATE
    SET name = excluded.name, role = excluded.role, unit_code = excluded.unit_code,
        last_seen_at = excluded.last_seen_at
    WHERE (p.name, p.role, p.unit_code) IS DISTINCT FROM (excluded.name, excluded.role,
                                                          excluded.unit_code)
       OR p.last_seen_at < $8
)
SELECT known FROM u"""


async def person_seen(
    pool: asyncpg.Pool, person: Principal, *, issuer: str, subject: str, now: datetime
) -> bool:
    """Record the person (`people`); False when their unit is not one of ours."""
    known = await pool.fetchval(
        _SEEN, person.id, issuer, subject, person.name, person.role.value, person.unit_code,
        now, now - LAST_USED_GRANULARITY,
    )  # fmt: skip
    return bool(known)
