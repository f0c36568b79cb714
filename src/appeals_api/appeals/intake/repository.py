"""All SQL of intake: the one statement that registers appeals (R-1, R-2.1, R-1.8).

The statement takes a batch of requests (one, or all those waiting at that moment:
`intake.batching`) and, for each, checks the key and its role, share-locks the calendar
version and compares it with the one the plan was counted on, claims the Idempotency-Key,
takes the year's next number and writes the appeal, its deadlines, its history row and its
event (through the journal's fragments), all or nothing, in PostgreSQL's implicit
transaction: one round trip, and one commit (one WAL flush) for the whole batch.

Locks, in the order every writer takes them (ARCHITECTURE.md):
1. `calendar_state`, shared: an override in progress is waited for, then seen (R-3.6);
2. the Idempotency-Keys' unique index, the keys in order: a retry in flight waits for its
   first attempt;
3. each year's `registration_counters` row, once for the batch, held until the commit:
   numbers are gapless and follow the batch's order (R-2.1);
then the new rows. The keys' last use is written with SKIP LOCKED and never waits.

It answers one row per request that says what happened (`Outcome`); for a request it did not
register, it wrote nothing.
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

# One row per request of the batch, as `register_many` sends them (JSON, one parameter).
_ITEM_COLUMNS = keys.KEY_SOURCE_COLUMNS + (
    ", roles varchar[], backdated boolean, backdaters varchar[], write boolean,"
    " calendar_version bigint, idem_key varchar, request_hash varchar, appeal_id uuid,"
    " response jsonb, appeal jsonb, year smallint, deadlines jsonb, changes jsonb,"
    " report_text text, report_language varchar, report_addressee text, today date,"
    " event_data jsonb, notice_code varchar"
)

_ADMISSION = """ok AS (
    SELECT k.pos, k.id, k.name, k.role FROM k JOIN q USING (pos)
    WHERE k.role = ANY(q.roles) AND (NOT q.backdated OR k.role = ANY(q.backdaters))
),
s AS (
    -- Lock 1: an override in progress holds the row exclusively: wait, then see its version.
    SELECT version FROM calendar_state
    WHERE id = 1 AND EXISTS (SELECT FROM ok JOIN q USING (pos) WHERE q.write)
    FOR SHARE
),
counted AS (
    SELECT ok.* FROM ok JOIN q USING (pos), s WHERE q.write AND s.version = q.calendar_version
),
i AS (
    -- Lock 2: a first attempt with this key still in flight is waited for here; the keys in
    -- one order, so two batches never wait for each other's. Of two requests of one batch
    -- with one key, the first claims it.
    INSERT INTO idempotency_keys (principal_id, key, request_hash, appeal_id, response,
                                  created_at)
    SELECT counted.id, q.idem_key, q.request_hash, q.appeal_id, q.response, q.now
    FROM counted JOIN q USING (pos) WHERE q.idem_key IS NOT NULL
    ORDER BY counted.id, q.idem_key, q.pos
    ON CONFLICT DO NOTHING
    RETURNING appeal_id
),
prior AS (
    SELECT ok.pos, x.request_hash, x.response, a.seq
    FROM ok JOIN q USING (pos)
    JOIN idempotency_keys x ON x.principal_id = ok.id AND x.key = q.idem_key
    JOIN appeals a ON a.id = x.appeal_id
),
go AS (
    SELECT counted.pos, counted.id, counted.name, counted.role, q.year,
           row_number() OVER (PARTITION BY q.year ORDER BY counted.pos) AS nth,
           count(*) OVER (PARTITION BY q.year) AS of_year
    FROM counted JOIN q USING (pos)
    WHERE q.idem_key IS NULL OR q.appeal_id IN (SELECT appeal_id FROM i)
)"""


def _journal() -> str:
    """The registrations' history rows and events, by the journal's fragments."""
    number = SQL_DISPLAY_NUMBER % {"seq": "made.seq", "year": "made.year"}
    source = "made JOIN q USING (pos)"
    history = journal.first_history_sql(
        source=source,
        appeal_id="made.id",
        at="q.now",
        actor_id="made.actor_id",
        actor_name="made.actor_name",
        actor_role="made.actor_role",
        action="'registered'",
        changes="q.changes",
    )
    event = journal.event_sql(
        source=source,
        type_="'appeal.registered'",
        appeal_id="made.id",
        at="q.now",
        data=f"q.event_data || jsonb_build_object('seq', made.seq, 'number', {number})",
    )
    return f"h AS ({history}),\ne AS ({event}),\nr AS ({_REPORT}),\nn AS ({_NOTICE_CODE})"


# the tracking code for the receipt notice, until the worker renders it (the appeal
# keeps only its hash, R-8.1); none when the applicant is not told.
_NOTICE_CODE = """INSERT INTO notice_codes (appeal_id, code, created_at)
    SELECT made.id, q.notice_code, q.now FROM made JOIN q USING (pos)
    WHERE q.notice_code IS NOT NULL"""

# R-1.6 (§14): the report of a failed envelope check, drawn up and signed by the official who
# registers the appeal (their key's label, as `Principal.label`); none if it passed.
_LABEL = f"left(made.actor_name, {LABEL_NAME_CHARS}) || ' (' || made.actor_role || ')'"
_REPORT = f"""INSERT INTO appeal_letters (appeal_id, kind, state, text, language, addressee,
                               drafted_by, drafted_at, signed_by, signed_on)
    SELECT made.id, 'envelope_report', 'signed', q.report_text, q.report_language,
           q.report_addressee, {_LABEL}, q.now, {_LABEL}, q.today
    FROM made JOIN q USING (pos) WHERE q.report_text IS NOT NULL"""  # noqa: S608


def _writes(columns: tuple[str, ...]) -> str:
    """The numbers (lock 3), the appeals and their deadlines."""
    # Column names come from the model, never from a request.
    return f"""c AS (
    -- Lock 3: each year's counter row, once for the whole batch, until the commit.
    INSERT INTO registration_counters AS rc (year, last_seq)
    SELECT year, count(*) FROM go GROUP BY year ORDER BY year
    ON CONFLICT (year) DO UPDATE SET last_seq = rc.last_seq + EXCLUDED.last_seq
    RETURNING year, last_seq
),
numbered AS (
    -- The batch's numbers follow its order: gapless and increasing (R-2.1).
    SELECT go.pos, go.id AS actor_id, go.name AS actor_name, go.role AS actor_role,
           c.last_seq - go.of_year + go.nth AS seq
    FROM go JOIN c USING (year)
),
a AS (
    INSERT INTO appeals ({", ".join(columns)}, created_by, seq)
    SELECT {", ".join("r." + c for c in columns)}, numbered.actor_id, numbered.seq
    FROM numbered JOIN q USING (pos), jsonb_populate_record(NULL::appeals, q.appeal) AS r
    RETURNING id, year, seq
),
made AS (
    SELECT numbered.pos, numbered.actor_id, numbered.actor_name, numbered.actor_role,
           a.id, a.year, a.seq
    FROM a JOIN q ON q.appeal_id = a.id JOIN numbered USING (pos)
),
d AS (
    INSERT INTO appeal_deadlines (appeal_id, rule, start_on, due_on, original_due_on)
    SELECT made.id, x.rule, x.start_on, x.due_on, x.due_on
    FROM made JOIN q USING (pos),
         jsonb_to_recordset(q.deadlines) AS x(rule varchar, start_on date, due_on date)
)"""  # noqa: S608


_OUTCOME = """SELECT q.pos, k.id, k.name, k.role, k.unit_code,
       ok.pos IS NOT NULL AS admitted,
       (SELECT version FROM s) AS calendar_version,
       made.seq,
       prior.request_hash AS prior_hash,
       prior.response AS prior_response,
       prior.seq AS prior_seq
FROM q LEFT JOIN k USING (pos) LEFT JOIN ok USING (pos) LEFT JOIN made USING (pos)
LEFT JOIN prior USING (pos)
ORDER BY q.pos"""


@functools.lru_cache(maxsize=8)
def _statement(columns: tuple[str, ...]) -> str:
    """Built once per set of appeal columns (the plan's, always the same in practice)."""
    q = f"q AS MATERIALIZED (SELECT * FROM jsonb_to_recordset($1::jsonb) AS q({_ITEM_COLUMNS}))"  # noqa: S608
    ctes = (q, keys.keys_ctes("q"), _ADMISSION, _writes(columns), _journal())
    return "WITH " + ",\n".join(ctes) + "\n" + _OUTCOME


@dataclass(frozen=True)
class Outcome:
    """What the statement did for one request. `id` is None when the key is not valid now."""

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


def item(
    plan: Plan,
    *,
    caller: Caller,
    calendar_version: int,
    idempotency_key: str | None,
    request_hash: str | None,
    now: datetime,
) -> dict[str, Any]:
    """One request of a batch, as the statement reads it (`_ITEM_COLUMNS`, but `pos`)."""
    report = plan.report
    return {
        **keys.key_values(caller.key_hash, now, caller.person),
        **{name: getattr(caller, name) for name in ("roles", "backdated", "backdaters", "write")},
        "calendar_version": calendar_version,
        "idem_key": idempotency_key,
        "request_hash": request_hash,
        "appeal_id": plan.appeal_id,
        "response": plan.body if idempotency_key else None,
        "appeal": plan.values,
        "year": plan.values["year"],
        "deadlines": plan.deadlines,
        "changes": plan.changes,
        "report_text": report.text if report else None,
        "report_language": report.language if report else None,
        "report_addressee": report.addressee if report else None,
        "today": report.signed_on if report else None,
        "event_data": plan.event_data,
        "notice_code": plan.notice_code,
    }


async def register_many(pool: asyncpg.Pool, items: list[dict[str, Any]]) -> list[Outcome]:
    """Run the intake statement once for a batch of requests (see the module's docstring),
    their appeals numbered in the batch's order; one outcome per request, in that order."""
    columns = tuple(items[0]["appeal"])
    assert all(tuple(x["appeal"]) == columns for x in items), "one statement, one column set"
    rows = await pool.fetch(
        _statement(columns), [{**x, "pos": n} for n, x in enumerate(items, start=1)]
    )
    assert len(rows) == len(items)  # the statement answers one row per request
    return [Outcome(**{k: v for k, v in dict(row).items() if k != "pos"}) for row in rows]


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
