"""The hot paths, intake and read by id, each one statement on a plain asyncpg connection.

The general path (`service.register`, `service.read` in the request's session) costs six round
trips and the ORM's bookkeeping for an intake: BEGIN, the key, the idempotency claim, the
calendar, the numbered insert, COMMIT. Here the usual case is one statement in its own implicit
transaction, which checks the key and role, claims the idempotency key, checks the calendar
version and takes the number, then writes the appeal, its deadlines, history, event and
idempotent answer, all or nothing (R-2.1, R-1.8). Anything unusual makes the statement write
nothing and return no row, and the caller takes the general path, which answers it exactly as
before: an unknown or revoked key (401), a role not admitted (403), a retry (the first answer),
a changed calendar (reloaded), a back-dated or related appeal.

The registration counter's row lock is now held only while PostgreSQL runs the statement and
commits, no longer across two client round trips: that lock is what serialises intake.
"""

from __future__ import annotations

import functools
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg

from appeals_api.appeals.models import Appeal
from appeals_api.appeals.numbering import SQL_DISPLAY_NUMBER
from appeals_api.appeals.privacy import service as privacy
from appeals_api.appeals.reading.service import (
    REGISTERED_CHANGES,
    Plan,
    Registered,
    Row,
    answer,
    can_see,
    plain_received_at,
    plan_registration,
    request_fingerprint,
    to_read,
)
from appeals_api.appeals.schemas import AppealCreate, AppealRead
from appeals_api.auth.dependencies import Credentials
from appeals_api.auth.roles import Principal, Role
from appeals_api.auth.service import LAST_USED_GRANULARITY
from appeals_api.calendar.service import CalendarCache
from appeals_api.config import Settings


class _Params:
    """Named parameters numbered in order of first use: `p("x")` is `$n` every time."""

    def __init__(self) -> None:
        self.names: list[str] = []

    def __call__(self, name: str, cast: str | None = None) -> str:
        if name not in self.names:
            self.names.append(name)
        ref = f"${self.names.index(name) + 1}"
        return f"{ref}::{cast}" if cast else ref


# The key, valid now: shared by both statements. The key's last use is refreshed as
# `auth.service.authenticate` does, at most once a minute.
_KEY_CTES = """k AS (
    SELECT id, name, role, unit_code, last_used_at FROM api_keys
    WHERE key_hash = {hash} AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > {now})
),
u AS (
    UPDATE api_keys SET last_used_at = {now} FROM k
    WHERE api_keys.id = k.id AND (k.last_used_at IS NULL OR k.last_used_at < {stale})
)"""


@dataclass(frozen=True)
class _Statement:
    sql: str
    names: tuple[str, ...]

    def args(self, values: dict[str, Any]) -> list[Any]:
        return [values[name] for name in self.names]


def _key_ctes(p: _Params) -> str:
    return _KEY_CTES.format(
        hash=p("key_hash", "varchar"),
        now=p("now", "timestamptz"),
        stale=p("stale", "timestamptz"),
    )


@functools.lru_cache(maxsize=8)
def _intake_statement(columns: tuple[str, ...]) -> _Statement:
    """Built once per set of appeal columns (the plan's, always the same in practice)."""
    p = _Params()
    keys = _key_ctes(p)
    idem = p("idem_key", "varchar")
    number = SQL_DISPLAY_NUMBER % {"seq": "a.seq", "year": "a.year"}
    # Names and placeholders come from this module and the model, never from a request.
    sql = f"""WITH {keys},
ok AS (
    SELECT k.id, k.name, k.role FROM k, calendar_state s
    WHERE k.role = ANY({p("roles", "varchar[]")}) AND s.id = 1
      AND s.version = {p("calendar_version", "bigint")}
    -- A decree override in progress holds the row: wait for it, then see the new version
    -- (R-3.6); the override, in turn, waits for this statement and recomputes what it wrote.
    FOR SHARE OF s
),
i AS (
    INSERT INTO idempotency_keys (principal_id, key, request_hash, status_code, response,
                                  created_at)
    SELECT ok.id, {idem}, {p("request_hash", "varchar")}, 201, {p("response", "jsonb")},
           {p("now")}
    FROM ok WHERE {idem} IS NOT NULL
    ON CONFLICT DO NOTHING
    RETURNING principal_id
),
go AS (SELECT ok.* FROM ok WHERE {idem} IS NULL OR EXISTS (SELECT FROM i)),
c AS (
    INSERT INTO registration_counters AS rc (year, last_seq) SELECT {p("year", "smallint")}, 1
    FROM go
    ON CONFLICT (year) DO UPDATE SET last_seq = rc.last_seq + 1
    RETURNING last_seq
),
a AS (
    INSERT INTO appeals ({", ".join(columns)}, created_by, seq)
    SELECT {", ".join("r." + c for c in columns)}, go.id, c.last_seq
    FROM jsonb_populate_record(NULL::appeals, {p("appeal", "jsonb")}) AS r, go, c
    RETURNING id, year, seq
),
d AS (
    INSERT INTO appeal_deadlines (appeal_id, rule, start_on, due_on, original_due_on)
    SELECT a.id, x.rule, x.start_on, x.due_on, x.due_on
    FROM a, unnest({p("dl_rules", "varchar[]")}, {p("dl_starts", "date[]")},
                   {p("dl_dues", "date[]")}) AS x(rule, start_on, due_on)
),
h AS (
    INSERT INTO appeal_history
        (appeal_id, at, actor_id, actor_name, actor_role, action, changes, note)
    SELECT a.id, {p("now")}, go.id, go.name, go.role, 'registered', {p("changes", "jsonb")}, NULL
    FROM a, go
),
e AS (
    INSERT INTO events (type, appeal_id, occurred_at, data)
    SELECT 'appeal.registered', a.id, {p("now")},
           {p("event_data", "jsonb")} || jsonb_build_object('seq', a.seq, 'number', {number})
    FROM a
)
SELECT a.seq, go.id AS principal_id, go.name AS principal_name, go.role AS principal_role
FROM a, go"""  # noqa: S608 (names from this module and the model, not a request)
    return _Statement(sql, tuple(p.names))


def _principal(row: asyncpg.Record) -> Principal:
    return Principal(
        id=row["principal_id"],
        name=row["principal_name"],
        role=Role(row["principal_role"]),
        unit_code=row.get("principal_unit"),
    )


@dataclass(frozen=True)
class FastRegistered:
    registered: Registered
    principal: Principal


async def register(
    pool: asyncpg.Pool,
    settings: Settings,
    calendars: CalendarCache,
    *,
    data: AppealCreate,
    credentials: Credentials,
    now: datetime,
    idempotency_key: str | None,
) -> FastRegistered | None:
    """Register the usual appeal in one statement, or return None for the general path."""
    received_at = plain_received_at(data, now, settings)
    cached = calendars.current
    if received_at is None or data.related is not None or cached is None:
        return None
    plan: Plan = plan_registration(
        settings, data=data, received_at=received_at, calendar=cached.calendar, related=None,
        now=now,
    )  # fmt: skip
    statement = _intake_statement(tuple(plan.values))
    values = {
        # The columns as one JSON document PostgreSQL unpacks: one parameter instead of 30.
        "appeal": plan.values,
        "year": plan.values["year"],
        "key_hash": credentials.key_hash,
        "now": now,
        "stale": now - LAST_USED_GRANULARITY,
        "roles": [r.value for r in credentials.allowed],
        "calendar_version": cached.version,
        "idem_key": idempotency_key,
        "request_hash": request_fingerprint(data) if idempotency_key else None,
        "response": plan.body if idempotency_key else None,
        "dl_rules": [d["rule"] for d in plan.deadlines],
        "dl_starts": [d["start_on"] for d in plan.deadlines],
        "dl_dues": [d["due_on"] for d in plan.deadlines],
        "changes": REGISTERED_CHANGES,
        "event_data": plan.event_data,
    }
    row = await pool.fetchrow(statement.sql, *statement.args(values))
    if row is None:
        return None
    body = answer({**plan.body, "seq": row["seq"]})
    return FastRegistered(Registered(body=body, replayed=False), _principal(row))


def _read_statement() -> _Statement:
    p = _Params()
    keys = _key_ctes(p)
    sql = f"""WITH {keys}
SELECT k.id AS principal_id, k.name AS principal_name, k.role AS principal_role,
       k.unit_code AS principal_unit, a.*,
       ARRAY(SELECT d FROM appeal_deadlines d WHERE d.appeal_id = a.id ORDER BY d.id)
           AS deadline_rows,
       EXISTS (SELECT FROM directum_dispatches x WHERE x.appeal_id = a.id) AS dispatched
FROM k LEFT JOIN appeals a ON a.id = {p("appeal_id", "uuid")}"""  # noqa: S608
    return _Statement(sql, tuple(p.names))


_READ = _read_statement()
_APPEAL_COLUMNS = tuple(c.key for c in Appeal.__table__.columns)


@dataclass(frozen=True)
class FastRead:
    principal: Principal
    appeal: Row | None  # None: no such appeal for this reader
    read: AppealRead | None  # None: the general path must answer (see `read`)


async def read(
    pool: asyncpg.Pool,
    settings: Settings,
    *,
    credentials: Credentials,
    appeal_id: uuid.UUID,
    now: datetime,
) -> FastRead | None:
    """One appeal and the reader's key in one statement; None when the key is not valid.

    `read` is None where the general path answers: an appeal sent to DIRECTUM (its status takes
    two more queries) and a confidential one shown to a reader who sees personal data (the
    read is logged, R-8.2)."""
    values = {
        "key_hash": credentials.key_hash,
        "now": now,
        "stale": now - LAST_USED_GRANULARITY,
        "appeal_id": appeal_id,
    }
    row = await pool.fetchrow(_READ.sql, *_READ.args(values))
    if row is None:
        return None
    principal = _principal(row)
    if principal.role not in credentials.allowed or row["id"] is None:
        return FastRead(principal, None, None)
    appeal = Row(**{c: row[c] for c in _APPEAL_COLUMNS})
    if not can_see(principal, appeal):
        return FastRead(principal, None, None)
    personal = privacy.sees_personal_data(principal, appeal)
    if row["dispatched"] or (personal and appeal.confidential):
        return FastRead(principal, appeal, None)
    tz = settings.tz
    deadlines = [Row(**dict(d)) for d in row["deadline_rows"]]
    result = to_read(appeal, deadlines, today=now.astimezone(tz).date(), tz=tz, personal=personal)
    return FastRead(principal, appeal, result)
