"""All SQL of intake: the one statement that registers an appeal (R-1, R-2.1, R-1.8).

The statement checks the key and its role, share-locks the calendar version and compares it
with the one the plan was counted on, claims the Idempotency-Key, takes the year's next number
and writes the appeal, its deadlines, its history row and its event (through the journal's
fragments), all or nothing, in PostgreSQL's implicit transaction: one round trip.

Locks, in the order every writer takes them (ARCHITECTURE.md):
1. `calendar_state`, shared: an override in progress is waited for, then seen (R-3.6);
2. the Idempotency-Key's unique index: a retry in flight waits for its first attempt;
3. the year's `registration_counters` row, held until the commit: numbers are gapless (R-2.1);
then the new rows. The key's last use is written with SKIP LOCKED and never waits.

It always answers one row that says what happened (`Outcome`); when it did not register, it
wrote nothing.
"""

from __future__ import annotations

import functools
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import asyncpg

from appeals_api.appeals import journal
from appeals_api.appeals.intake.plan import Plan
from appeals_api.appeals.numbering import SQL_DISPLAY_NUMBER
from appeals_api.auth import repository as keys
from appeals_api.auth.roles import LABEL_NAME_CHARS, Principal
from appeals_api.sql import Params, Statement


def _admission(p: Params) -> str:
    """Who may post it, the calendar it is counted on, the Idempotency-Key (locks 1 and 2)."""
    idem = p("idem_key", "varchar")
    return f"""ok AS (
    SELECT k.id, k.name, k.role FROM k
    WHERE k.role = ANY({p("roles", "varchar[]")})
      AND (NOT {p("backdated", "boolean")} OR k.role = ANY({p("backdaters", "varchar[]")}))
),
s AS (
    -- Lock 1: an override in progress holds the row exclusively: wait, then see its version.
    SELECT version FROM calendar_state
    WHERE id = 1 AND {p("write", "boolean")} AND EXISTS (SELECT FROM ok)
    FOR SHARE
),
counted AS (
    SELECT ok.* FROM ok, s WHERE s.version = {p("calendar_version", "bigint")}
),
i AS (
    -- Lock 2: a first attempt with this key still in flight is waited for here.
    INSERT INTO idempotency_keys (principal_id, key, request_hash, appeal_id, response,
                                  created_at)
    SELECT counted.id, {idem}, {p("request_hash", "varchar")}, {p("appeal_id", "uuid")},
           {p("response", "jsonb")}, {p("now", "timestamptz")}
    FROM counted WHERE {idem} IS NOT NULL
    ON CONFLICT DO NOTHING
    RETURNING principal_id
),
prior AS (
    SELECT x.request_hash, x.response, a.seq
    FROM ok JOIN idempotency_keys x ON x.principal_id = ok.id AND x.key = {idem}
    JOIN appeals a ON a.id = x.appeal_id
),
go AS (SELECT counted.* FROM counted WHERE {idem} IS NULL OR EXISTS (SELECT FROM i))"""  # noqa: S608


def _journal(p: Params) -> str:
    """The registration's history row and event, by the journal's fragments."""
    now = p("now", "timestamptz")
    number = SQL_DISPLAY_NUMBER % {"seq": "a.seq", "year": "a.year"}
    history = journal.history_sql(
        source="a, go",
        appeal_id="a.id",
        at=now,
        actor_id="go.id",
        actor_name="go.name",
        actor_role="go.role",
        action="'registered'",
        changes=p("changes", "jsonb"),
    )
    event = journal.event_sql(
        source="a",
        type_="'appeal.registered'",
        appeal_id="a.id",
        at=now,
        data=p("event_data", "jsonb") + f" || jsonb_build_object('seq', a.seq, 'number', {number})",
    )
    return f"h AS ({history}),\ne AS ({event}),\nr AS ({_report(p)}),\nn AS ({_notice_code(p)})"


def _notice_code(p: Params) -> str:
    """R-8.4: the tracking code for the receipt notice, until the worker renders it (the
    appeal keeps only its hash, R-8.1); none when the applicant is not told."""
    code = p("notice_code", "varchar")
    return f"""INSERT INTO notice_codes (appeal_id, code, created_at)
    SELECT a.id, {code}, {p("now", "timestamptz")} FROM a WHERE {code} IS NOT NULL"""  # noqa: S608


def _report(p: Params) -> str:
    """R-1.6 (§14): the report of a failed envelope check, drawn up and signed by the official
    who registers the appeal (their key's label, as `Principal.label`); none if it passed."""
    text = p("report_text", "text")
    label = f"left(go.name, {LABEL_NAME_CHARS}) || ' (' || go.role || ')'"
    return f"""INSERT INTO appeal_letters (appeal_id, kind, state, text, language, addressee,
                               drafted_by, drafted_at, signed_by, signed_on)
    SELECT a.id, 'envelope_report', 'signed', {text}, {p("report_language", "varchar")},
           {p("report_addressee", "text")}, {label}, {p("now", "timestamptz")}, {label},
           {p("today", "date")}
    FROM a, go WHERE {text} IS NOT NULL"""  # noqa: S608


def _report_values(plan: Plan) -> dict[str, Any]:
    report = plan.report
    return {
        "report_text": report.text if report else None,
        "report_language": report.language if report else None,
        "report_addressee": report.addressee if report else None,
        "today": report.signed_on if report else None,
    }


def _writes(p: Params, columns: tuple[str, ...]) -> str:
    """The number (lock 3), the appeal and its deadlines."""
    # Column names come from the model, never from a request.
    return f"""c AS (
    -- Lock 3: the year's counter row, until the commit.
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
)"""  # noqa: S608


_OUTCOME = """SELECT k.id, k.name, k.role, k.unit_code,
       EXISTS (SELECT FROM ok) AS admitted,
       (SELECT version FROM s) AS calendar_version,
       (SELECT seq FROM a) AS seq,
       (SELECT request_hash FROM prior) AS prior_hash,
       (SELECT response FROM prior) AS prior_response,
       (SELECT seq FROM prior) AS prior_seq
FROM (SELECT) AS one LEFT JOIN k ON true"""


@functools.lru_cache(maxsize=8)
def _statement(columns: tuple[str, ...]) -> Statement:
    """Built once per set of appeal columns (the plan's, always the same in practice)."""
    p = Params()
    ctes = (keys.key_ctes(p), _admission(p), _writes(p, columns), _journal(p))
    sql = "WITH " + ",\n".join(ctes) + "\n" + _OUTCOME
    return Statement(sql, tuple(p.names))


@dataclass(frozen=True)
class Outcome:
    """What the statement did. `id` is None when the key is not valid now."""

    id: uuid.UUID | None
    name: str | None
    role: str | None
    unit_code: str | None
    admitted: bool  # the key's role may post this appeal (back-dated: registrar or higher)
    calendar_version: int | None  # the version it locked (when it tried to write)
    seq: int | None  # registered with this number
    prior_hash: str | None  # the key was used before: that request's fingerprint
    prior_response: dict[str, Any] | None  # … and its answer, without the number
    prior_seq: int | None  # … and the number of the appeal it registered


@dataclass(frozen=True)
class Caller:
    """Who posts the appeal and what that asks of their role."""

    key_hash: str
    person: Principal | None  # a verified OIDC person: `k` is them, not a key
    roles: list[str]  # the roles the route admits
    backdated: bool  # back-dated: the key's role must also be one of `backdaters`
    backdaters: list[str]
    write: bool  # False: only check the key (the request is refused after that)


async def register(
    pool: asyncpg.Pool,
    plan: Plan,
    *,
    caller: Caller,
    calendar_version: int,
    idempotency_key: str | None,
    request_hash: str | None,
    now: datetime,
) -> Outcome:
    """Run the intake statement once (see the module's docstring)."""
    statement = _statement(tuple(plan.values))
    args = {
        # The columns as one JSON document PostgreSQL unpacks: one parameter instead of 30.
        "appeal": plan.values,
        "appeal_id": plan.appeal_id,
        "year": plan.values["year"],
        **keys.key_values(caller.key_hash, now, caller.person),
        **{name: getattr(caller, name) for name in ("roles", "backdated", "backdaters", "write")},
        "calendar_version": calendar_version,
        "idem_key": idempotency_key,
        "request_hash": request_hash,
        "response": plan.body if idempotency_key else None,
        "dl_rules": [d["rule"] for d in plan.deadlines],
        "dl_starts": [d["start_on"] for d in plan.deadlines],
        "dl_dues": [d["due_on"] for d in plan.deadlines],
        "changes": plan.changes,
        **_report_values(plan),
        "event_data": plan.event_data,
        "notice_code": plan.notice_code,
    }
    row = await pool.fetchrow(statement.sql, *statement.args(args))
    assert row is not None  # the statement always answers one row
    return Outcome(**dict(row))


@dataclass(frozen=True)
class Earlier:
    id: uuid.UUID
    received_on: date


async def find_earlier(pool: asyncpg.Pool, *, year: int, seq: int, tz: str) -> Earlier | None:
    """An earlier appeal named by its number (R-2.3); appeals are never renumbered or deleted,
    so reading it before the intake statement is as good as reading it inside."""
    row = await pool.fetchrow(
        "SELECT id, (received_at AT TIME ZONE $3)::date AS received_on FROM appeals "
        "WHERE year = $1 AND seq = $2",
        year,
        seq,
        tz,
    )
    return Earlier(row["id"], row["received_on"]) if row is not None else None
