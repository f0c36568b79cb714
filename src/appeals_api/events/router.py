from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from appeals_api.auth.dependencies import require
from appeals_api.auth.roles import Role
from appeals_api.db import SessionDep
from appeals_api.errors import problem_responses
from appeals_api.events import service
from appeals_api.events.schemas import EventPage, EventRead

router = APIRouter(prefix="/api/v1/events", tags=["events"])

FeedReader = Depends(require(Role.ADMIN, Role.REGISTRAR, Role.SUPERVISOR))


@router.get("", response_model=EventPage, responses=problem_responses(401, 403, 422))
async def list_events(
    session: SessionDep,
    _: Annotated[object, FeedReader],
    after: Annotated[int, Query(ge=0, le=2**63 - 1, description="The last event id seen")] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> EventPage:
    """The event feed in order, resumable from the last id seen."""
    events, last_id = await service.page(session, after=after, limit=limit)
    items = [
        EventRead(
            id=e.feed_id or 0,
            type=e.type,
            occurred_at=e.occurred_at,
            appeal_id=e.appeal_id,
            data=e.data,
        )
        for e in events
    ]
    return EventPage(items=items, last_id=last_id)
