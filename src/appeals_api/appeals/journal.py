"""The journal: the one writer of "an appeal changed" — its version, its history row, its events.

Every change of an appeal goes through here, from Python (`record`, `note_on`) or, for the
callers that work in one SQL statement (intake, the deadline watch), as the fragments
`history_sql` and `event_sql` that those statements embed. Nothing else inserts into
`appeal_history` or writes an appeal's events to the outbox (`events`), so a column added to
the history, or the hash chain of the record (R-9.5), is added here once.

The history is append-only: rows are inserted, never updated or deleted. Each row is chained
by hash to the entry before it of the same appeal (R-9.5): one statement fragment,
`history_sql`, writes every row, from Python too, and takes the appeal's chain lock, so the
entries of an appeal form one unbroken chain however many transactions append at once; the
audit (`appeals_api.audit`) recomputes the chains. Only the first row of an appeal that intake's
statement creates is written by `first_history_sql`: chained to the genesis by the same hash,
without the lock nobody else can want yet.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.ext.asyncio import AsyncSession

from appeals_api.appeals.models import Appeal
from appeals_api.auth.roles import Principal
from appeals_api.events import service as events_service
from appeals_api.events.models import Event

SYSTEM_ROLE = "system"

Changes = dict[str, list[Any]]

_COLUMNS = "appeal_id, at, actor_id, actor_name, actor_role, action, changes, note"
_NEW = ", ".join(f"n.{c}" for c in _COLUMNS.split(", "))
EventSpec = tuple[str, dict[str, Any]]


@dataclass(frozen=True)
class Actor:
    """Who changed an appeal, as its history names them: a key's holder, or the system."""

    id: uuid.UUID | None
    name: str
    role: str

    @classmethod
    def of(cls, principal: Principal) -> Actor:
        return cls(id=principal.id, name=principal.name, role=principal.role.value)

    @classmethod
    def system(cls, name: str) -> Actor:
        return cls(id=None, name=name, role=SYSTEM_ROLE)


async def record(
    session: AsyncSession,
    appeal: Appeal,
    *,
    actor: Actor,
    action: str,
    at: datetime,
    changes: Changes,
    note: str | None = None,
    events: Sequence[EventSpec] = (),
) -> None:
    """The appeal changed: a new version (its ETag), one history row, and its outbox events,
    all in the caller's transaction (the caller holds the appeal's row lock)."""
    appeal.version += 1
    appeal.updated_at = at
    await _append(session, appeal.id, actor=actor, action=action, at=at, changes=changes, note=note)
    for type_, data in events:
        await events_service.emit(session, type=type_, appeal_id=appeal.id, at=at, data=data)


@dataclass(frozen=True)
class Entry:
    """One appeal's change among many recorded alike (`record_many`)."""

    appeal: Appeal
    changes: Changes
    events: Sequence[EventSpec] = ()


async def record_many(
    session: AsyncSession,
    entries: Sequence[Entry],
    *,
    actor: Actor,
    action: str,
    at: datetime,
    note: str | None = None,
) -> None:
    """`record` for many appeals changed by one act (a decree's recompute, R-3.6): each a new
    version, one history row and its events, written by one statement each for all of them
    (the caller holds their rows' locks)."""
    if not entries:
        return
    for entry in entries:
        entry.appeal.version += 1
        entry.appeal.updated_at = at
    await session.flush()  # the changes themselves first: a text statement does not autoflush
    values = {"ids": [e.appeal.id for e in entries], "changes": [e.changes for e in entries]}
    values |= {"at": at, "actor_id": actor.id, "actor_name": actor.name}
    values |= {"actor_role": actor.role, "action": action, "note": note}
    await session.execute(_APPEND_MANY, values)
    events = [
        {"type": type_, "appeal_id": e.appeal.id, "occurred_at": at, "data": data}
        for e in entries
        for type_, data in e.events
    ]
    if events:
        await session.execute(insert(Event), events)


async def note_on(
    session: AsyncSession,
    appeal_id: uuid.UUID,
    *,
    actor: Actor,
    action: str,
    at: datetime,
    changes: Changes,
    note: str | None = None,
) -> None:
    """A fact recorded on an appeal that leaves its own fields (and version) as they are: a
    duplicate joined to it is noted on the original without locking it (R-5.2)."""
    # Not the row lock (that could deadlock with an action on it), only what the history's
    # foreign key takes at the commit anyway, taken before the chain lock (ARCHITECTURE.md).
    await session.execute(_KEY_SHARE, {"id": appeal_id})
    await _append(session, appeal_id, actor=actor, action=action, at=at, changes=changes, note=note)


async def _append(
    session: AsyncSession,
    appeal_id: uuid.UUID,
    *,
    actor: Actor,
    action: str,
    at: datetime,
    changes: Changes,
    note: str | None,
) -> None:
    """One history row, chained by the same statement fragment the SQL callers embed."""
    values = {"appeal_id": appeal_id, "at": at, "actor_id": actor.id, "actor_name": actor.name}
    values |= {"actor_role": actor.role, "action": action, "changes": changes, "note": note}
    await session.flush()  # the change itself first: a text statement does not autoflush
    await session.execute(_APPEND, values)


# Statement fragments: each argument is an SQL expression over `source` (a CTE's name).
def history_sql(
    *,
    source: str,
    appeal_id: str,
    at: str,
    actor_id: str,
    actor_name: str,
    actor_role: str,
    action: str,
    changes: str,
    note: str = "NULL",
) -> str:
    """INSERT … SELECT of one history row per row of `source`, each chained to the entry before
    it of its appeal (R-9.5); several rows of one appeal chain one after the other.

    `appeal_history_head` (migration 0009) takes the appeal's chain lock and reads its head with
    a fresh snapshot; `appeal_history_hash` is the entry's hash, the one the audit recomputes.
    The caller holds the appeal's row, FOR UPDATE or at least FOR KEY SHARE (lock order)."""
    return f"""INSERT INTO appeal_history ({_COLUMNS}, position, prev_hash, hash)
    WITH RECURSIVE new AS (
        SELECT x.*, row_number() OVER (PARTITION BY x.appeal_id) AS k
        FROM (SELECT CAST({appeal_id} AS uuid) AS appeal_id, CAST({at} AS timestamptz) AS at,
                     CAST({actor_id} AS uuid) AS actor_id,
                     CAST({actor_name} AS text) AS actor_name,
                     CAST({actor_role} AS text) AS actor_role, CAST({action} AS text) AS action,
                     CAST({changes} AS jsonb) AS changes, CAST({note} AS text) AS note
              FROM {source}) AS x
    ),
    head AS MATERIALIZED (
        SELECT s.appeal_id, h.head_position, h.head_hash
        FROM (SELECT DISTINCT appeal_id FROM new) AS s,
             LATERAL appeal_history_head(s.appeal_id) AS h
    ),
    chain AS (
        SELECT {_NEW}, n.k, head.head_position + 1 AS position, head.head_hash AS prev_hash,
               appeal_history_hash(head.head_hash, head.head_position + 1, {_NEW}) AS hash
        FROM new AS n JOIN head USING (appeal_id) WHERE n.k = 1
        UNION ALL
        SELECT {_NEW}, n.k, c.position + 1, c.hash, appeal_history_hash(c.hash, c.position + 1,
               {_NEW})
        FROM chain AS c JOIN new AS n ON n.appeal_id = c.appeal_id AND n.k = c.k + 1
    )
    SELECT {_COLUMNS}, position, prev_hash, hash FROM chain"""  # noqa: S608 (fragments of this code, never of a request)


def first_history_sql(
    *,
    source: str,
    appeal_id: str,
    at: str,
    actor_id: str,
    actor_name: str,
    actor_role: str,
    action: str,
    changes: str,
) -> str:
    """INSERT … SELECT of the first history row of each appeal that the same statement creates
    (intake), one per row of `source`: chained to the genesis, as `history_sql` chains an
    appeal without entries (R-9.5), by the same hash. Nothing precedes these rows and no other
    transaction sees their appeals before the commit, so there is no head to read and no chain
    lock to wait for: about a third of intake's statement went to that (issue 18)."""
    content = f"CAST({appeal_id} AS uuid), CAST({at} AS timestamptz), CAST({actor_id} AS uuid), "
    content += f"CAST({actor_name} AS text), CAST({actor_role} AS text), CAST({action} AS text), "
    content += f"CAST({changes} AS jsonb), CAST(NULL AS text)"
    return f"""INSERT INTO appeal_history ({_COLUMNS}, position, prev_hash, hash)
    SELECT {content}, 1, appeal_history_genesis(),
           appeal_history_hash(appeal_history_genesis(), 1, {content})
    FROM {source}"""  # noqa: S608 (fragments of this code, never of a request)


def event_sql(*, source: str, type_: str, appeal_id: str, at: str, data: str) -> str:
    """INSERT … SELECT of one outbox event per row of `source`."""
    return f"""INSERT INTO events (type, appeal_id, occurred_at, data)
    SELECT {type_}, {appeal_id}, {at}, {data}
    FROM {source}"""  # noqa: S608


_KEY_SHARE = text("SELECT 1 FROM appeals WHERE id = :id FOR KEY SHARE")
_APPEND_MANY = text(
    history_sql(
        source="unnest(CAST(:ids AS uuid[]), CAST(:changes AS jsonb[])) AS x(appeal_id, changes)",
        appeal_id="x.appeal_id",
        at=":at",
        actor_id=":actor_id",
        actor_name=":actor_name",
        actor_role=":actor_role",
        action=":action",
        changes="x.changes",
        note=":note",
    )
).bindparams(bindparam("changes", type_=ARRAY(JSONB)))
_APPEND = text(
    history_sql(
        source="(SELECT) AS one",
        appeal_id=":appeal_id",
        at=":at",
        actor_id=":actor_id",
        actor_name=":actor_name",
        actor_role=":actor_role",
        action=":action",
        changes=":changes",
        note=":note",
    )
).bindparams(bindparam("changes", type_=JSONB))
