"""From the outbox to DIRECTUM (R-4.2): each `appeal.dispatched` event of the channel
`directum` becomes one dispatch row, which `service.deliver_batch` then sends until
acknowledged.

Appeals know no DIRECTUM: the dispatch action records the channel and emits the event with what
DIRECTUM needs (the resolution, the deadline) in its own transaction, so the event exists if and
only if the dispatch does. The worker reads the sequenced feed after a cursor of its own (as a
webhook subscription's fan-out does) and writes the new rows with the moved cursor in one
transaction: each event is looked at once; a second worker skips the locked cursor; and the
unique resolution admits one dispatch per resolution whatever happens. Rows are written in
feed order, which is the order an appeal was routed in, so a re-routed appeal's dispatches are
numbered in routing order, the order the sender keeps.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from appeals_api.appeals.enums import DispatchChannel
from appeals_api.appeals.models import Appeal, Resolution
from appeals_api.appeals.numbering import display_number
from appeals_api.directum import repository
from appeals_api.events import service as events_service
from appeals_api.events.models import Event

EVENT_TYPE = "appeal.dispatched"
# Feed positions looked at per run; the next run goes on from the cursor.
FEED_BATCH = 10_000


@dataclass(frozen=True)
class Dispatched:
    """What an `appeal.dispatched` event asks DIRECTUM to receive."""

    appeal_id: uuid.UUID
    resolution_id: int
    due_date: str
    at: datetime

    @classmethod
    def of(cls, event: Event) -> Dispatched | None:
        """None for an internal dispatch, and for an event written before DIRECTUM read the
        outbox (it has no `resolution_id`: the action queued its dispatch itself)."""
        data = event.data
        if data.get("channel") != DispatchChannel.DIRECTUM.value or event.appeal_id is None:
            return None
        if data.get("resolution_id") is None:
            return None
        return cls(
            event.appeal_id, int(data["resolution_id"]), str(data["due_date"]), event.occurred_at
        )


def payload(dispatched: Dispatched, appeal: Appeal, resolution: Resolution) -> dict[str, Any]:
    """R-4.2: what the units need, and no applicant data (no names, addresses or text)."""
    units = list(resolution.units)
    return {
        "appeal_id": str(appeal.id),
        "number": display_number(appeal.year, appeal.seq),
        "year": appeal.year,
        "seq": appeal.seq,
        "kind": appeal.kind,
        "due_date": dispatched.due_date,
        "units": units,
        "lead_unit": units[0],
        "resolution": {
            "id": resolution.id,
            "instruction": resolution.instruction,
            "signed_on": resolution.signed_on.isoformat(),
            "executors": resolution.executors,
        },
        "summary": appeal.summary,
        "dispatched_at": dispatched.at.isoformat(),
    }


async def queue_dispatched(session: AsyncSession, *, now: datetime, batch: int = FEED_BATCH) -> int:
    """R-4.2: make the dispatch rows of newly sequenced `appeal.dispatched` events, once each."""
    cursor = await repository.lock_cursor(session)
    if cursor is None:
        return 0  # another worker is moving it; its rows are as good as ours
    upto = await events_service.window(session, after=cursor.position, batch=batch)
    if upto is None:
        return 0
    events = await events_service.sequenced(
        session, type=EVENT_TYPE, after=cursor.position, upto=upto
    )
    wanted = [d for e in events if (d := Dispatched.of(e)) is not None]
    found = await repository.resolutions_with_appeals(session, [d.resolution_id for d in wanted])
    made = 0
    for dispatched in wanted:  # one by one, in feed order: the rows' ids keep that order
        if dispatched.resolution_id not in found:
            continue  # gone with its appeal (a cascade): nothing left to send
        resolution, appeal = found[dispatched.resolution_id]
        made += await repository.insert_dispatch(
            session,
            appeal_id=appeal.id,
            resolution_id=resolution.id,
            payload=payload(dispatched, appeal, resolution),
            due=dispatched.at,  # due since it was dispatched, as the appeal showed it meanwhile
            now=now,
        )
    cursor.position = upto
    await session.flush()
    return made
