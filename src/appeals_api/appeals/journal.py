"""The journal: the one writer of "an appeal changed" — its version, its history row, its events.

Every change of an appeal goes through here, from Python (`record`, `note_on`) or, for the
callers that work in one SQL statement (intake, the deadline watch), as the fragments
`history_sql` and `event_sql` that those statements embed. Nothing else inserts into
`appeal_history` or writes an appeal's events to the outbox (`events`), so a column added to
the history, or the hash chain of the record (R-9.5), is added here once.

The history is append-only: rows are inserted, never updated or deleted.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from appeals_api.appeals.models import Appeal, AppealHistory
from appeals_api.auth.roles import Principal
from appeals_api.events import service as events_service

SYSTEM_ROLE = "system"

Changes = dict[str, list[Any]]
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
    await note_on(session, appeal.id, actor=actor, action=action, at=at, changes=changes, note=note)
    for type_, data in events:
        await events_service.emit(session, type=type_, appeal_id=appeal.id, at=at, data=data)


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
    session.add(
        AppealHistory(
            appeal_id=appeal_id,
            at=at,
            actor_id=actor.id,
            actor_name=actor.name,
            actor_role=actor.role,
            action=action,
            changes=changes,
            note=note,
        )
    )
    await session.flush()


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
    """INSERT … SELECT of one history row per row of `source`."""
    return f"""INSERT INTO appeal_history
        (appeal_id, at, actor_id, actor_name, actor_role, action, changes, note)
    SELECT {appeal_id}, {at}, {actor_id}, {actor_name}, {actor_role}, {action}, {changes}, {note}
    FROM {source}"""  # noqa: S608 (fragments of this code, never of a request)


def event_sql(*, source: str, type_: str, appeal_id: str, at: str, data: str) -> str:
    """INSERT … SELECT of one outbox event per row of `source`."""
    return f"""INSERT INTO events (type, appeal_id, occurred_at, data)
    SELECT {type_}, {appeal_id}, {at}, {data}
    FROM {source}"""  # noqa: S608
