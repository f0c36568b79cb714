"""The published reception schedule (R-11.1, §53): no key, as data and as iCalendar."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from appeals_api.db import SessionDep
from appeals_api.deps import NowDep, SettingsDep, TodayDep
from appeals_api.errors import problem_responses
from appeals_api.receptions import ics, schedule
from appeals_api.receptions.router import From, To
from appeals_api.receptions.schemas import OccurrenceList

router = APIRouter(prefix="/api/v1/public", tags=["receptions"])

ICS_MEDIA_TYPE = "text/calendar"
ICS_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "RFC 5545: one VEVENT per reception, its UID stable; cancelled ones "
        "STATUS:CANCELLED.",
        "content": {ICS_MEDIA_TYPE: {"schema": {"type": "string"}}},
    },
    **problem_responses(422),
}


@router.get(
    "/receptions",
    response_model=OccurrenceList,
    responses=problem_responses(422),
    summary="The reception schedule (published, no key)",
)
async def published_receptions(
    session: SessionDep, settings: SettingsDep, today: TodayDep,
    first: From = None, last: To = None,
) -> OccurrenceList:  # fmt: skip
    """R-11.1, §53: the receptions from `from` to `to` (default: today and the next 90 days;
    at most 400), weekly ones one per week, cancelled ones marked."""
    first, last = schedule.published_range(first, last, today)
    items = await schedule.published(session, first=first, last=last, tz=settings.tz)
    return OccurrenceList(items=items)


@router.get(
    "/receptions.ics",
    response_class=Response,
    responses=ICS_RESPONSES,
    summary="The reception schedule as an iCalendar feed (published, no key)",
)
async def published_receptions_ics(
    session: SessionDep, settings: SettingsDep, today: TodayDep, now: NowDep,
    first: From = None, last: To = None,
) -> Response:  # fmt: skip
    """R-11.1, §53: the same receptions as `GET /api/v1/public/receptions`, for calendars."""
    first, last = schedule.published_range(first, last, today)
    items = await schedule.published(session, first=first, last=last, tz=settings.tz)
    body = ics.calendar(items, stamp=now)
    return Response(body, media_type=f"{ICS_MEDIA_TYPE}; charset=utf-8")
