"""HTTP for receptions (R-11): the schedule kept by the Appeals Department, personal
receptions and mass reception protocols; the published schedule is in `public_router.py`."""

from __future__ import annotations

import uuid
from datetime import datetime, time, timedelta
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import HTMLResponse

from appeals_api import i18n
from appeals_api.appeals.intake.router import IdempotencyKey
from appeals_api.auth.dependencies import Credentials, authorize, require, require_key
from appeals_api.auth.roles import Principal, Role
from appeals_api.db import SessionDep
from appeals_api.deps import NowDep, SettingsDep, TodayDep
from appeals_api.errors import problem_responses
from appeals_api.negotiation import HTML_MEDIA_TYPE, page_headers, prefers_html
from appeals_api.receptions import html, reads, schedule, service
from appeals_api.receptions.schemas import (
    PersonalReceptionCreate,
    PersonalReceptionRead,
    ProtocolCreate,
    ProtocolRead,
    ReceptionList,
    ScheduleCreate,
    ScheduleList,
    SchedulePatch,
    ScheduleRead,
)
from appeals_api.state import state_of
from appeals_api.types import IsoDate

router = APIRouter(prefix="/api/v1/receptions", tags=["receptions"])

# The schedule is kept by the Appeals Department and the administrators (§53).
ScheduleKeeper = Annotated[Principal, Depends(require(Role.REGISTRAR, Role.ADMIN))]
ScheduleReader = Annotated[
    Principal, Depends(require(Role.REGISTRAR, Role.ADMIN, Role.MANAGER, Role.SUPERVISOR))
]
# Receptions are recorded by the Appeals Department (§55) and read as appeals are.
Recorder = Annotated[Credentials, Depends(require_key(Role.REGISTRAR))]
# The namespace of the ids a retried record request is given (`_record_id`).
_RETRIES = uuid.UUID("5b0f6a52-3f4e-4c59-9a53-6f1b7c1d2e11")
Reader = Annotated[Principal, Depends(require(Role.REGISTRAR, Role.MANAGER, Role.SUPERVISOR))]
From = Annotated[IsoDate | None, Query(alias="from", description="First Tashkent date.")]
To = Annotated[IsoDate | None, Query(alias="to", description="Last Tashkent date.")]
Lang = Annotated[
    str | None,
    Query(max_length=35, description="uz (Latin, default), uz-Cyrl, ru, en; else Accept-Language"),
]


@router.post(
    "/schedule",
    status_code=201,
    response_model=ScheduleRead,
    responses=problem_responses(401, 403, 422),
    summary="Add a reception to the schedule",
)
async def add_schedule_entry(
    session: SessionDep, principal: ScheduleKeeper, settings: SettingsDep, now: NowDep,
    data: ScheduleCreate,
) -> ScheduleRead:  # fmt: skip
    """R-11.1, §53: official, post, kind, times, place; `weekly` repeats it until a date."""
    entry = await schedule.create(session, data=data, principal=principal, now=now)
    return schedule.to_read(entry, settings.tz)


@router.get(
    "/schedule",
    response_model=ScheduleList,
    responses=problem_responses(401, 403, 422),
    summary="The schedule's entries (cancelled ones included)",
)
async def list_schedule(
    session: SessionDep, principal: ScheduleReader, settings: SettingsDep, today: TodayDep,
    first: From = None, last: To = None,
) -> ScheduleList:  # fmt: skip
    """R-11.1: the entries with a reception from `from` to `to` (default: the next 90 days)."""
    first, last = schedule.published_range(first, last, today)
    tz = settings.tz
    start = datetime.combine(first, time(), tzinfo=tz)
    end = datetime.combine(last + timedelta(days=1), time(), tzinfo=tz)
    entries = await schedule.entries(session, start=start, end=end, tz=tz)
    return ScheduleList(items=[schedule.to_read(e, tz) for e in entries])


@router.patch(
    "/schedule/{entry_id}",
    response_model=ScheduleRead,
    responses=problem_responses(401, 403, 404, 409, 422),
    summary="Change or cancel a schedule entry",
)
async def change_schedule_entry(
    session: SessionDep, principal: ScheduleKeeper, settings: SettingsDep, now: NowDep,
    entry_id: UUID, data: SchedulePatch,
) -> ScheduleRead:  # fmt: skip
    """R-11.1: `cancelled: true` cancels it: it stays, published as cancelled; a cancelled
    entry is not changed again (409)."""
    entry = await schedule.change(session, entry_id, data=data, principal=principal, now=now)
    return schedule.to_read(entry, settings.tz)


def _intake(request: Request, credentials: Credentials, now: datetime) -> service.Intake:
    state = state_of(request)
    return service.Intake(
        pool=state.pool, settings=state.settings, calendars=state.calendars,
        key_hash=credentials.key_hash, allowed=credentials.allowed, now=now,
        person=credentials.person,
    )  # fmt: skip


def _record_id(credentials: Credentials, idempotency_key: str | None) -> uuid.UUID:
    """A new record's id; with an Idempotency-Key, the same for every retry of the request
    (R-1.8), so that its appeals are registered once (their intake keys are the record's)."""
    if idempotency_key is None:
        return uuid.uuid4()
    return uuid.uuid5(_RETRIES, f"{credentials.identity}:{idempotency_key}")


@router.post(
    "",
    status_code=201,
    response_model=PersonalReceptionRead,
    responses=problem_responses(401, 403, 404, 409, 422),
    summary="Record a personal reception",
)
async def record_reception(
    request: Request, session: SessionDep, credentials: Recorder,
    now: NowDep, data: PersonalReceptionCreate, idempotency_key: IdempotencyKey = None,
) -> PersonalReceptionRead:  # fmt: skip
    """R-11.2, §54–59: who received whom, the identity document checked, the recording notice,
    the matter and its result. `appeal_registered` with `appeal` registers the oral appeal
    through intake (channel `personal_reception`, its `reception_id` this reception's), or
    links an `appeal_id` registered separately; `explained_competent_body` names the body
    (§58) and `written_answer_requested` records that the explanation is owed in writing."""
    principal = await authorize(session, credentials, request)
    intake = _intake(request, credentials, now)
    reception = await service.record_personal(
        session, intake, data=data, principal=principal,
        reception_id=_record_id(credentials, idempotency_key),
    )  # fmt: skip
    return (await reads.personal(session, [reception], principal=principal))[0]


@router.get(
    "",
    response_model=ReceptionList,
    responses=problem_responses(401, 403, 422),
    summary="Personal receptions held",
)
async def list_receptions(
    session: SessionDep, principal: Reader, settings: SettingsDep,
    first: From = None, last: To = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> ReceptionList:  # fmt: skip
    """R-11.2: the newest first, from `from` to `to` (Tashkent dates); the identity document's
    number and the person masked for a reader who does not see personal data (R-8.2)."""
    tz = settings.tz
    start = datetime.combine(first, time(), tzinfo=tz) if first else None
    end = datetime.combine(last + timedelta(days=1), time(), tzinfo=tz) if last else None
    found = await service.list_personal(session, start=start, end=end, limit=limit)
    return ReceptionList(items=await reads.personal(session, found, principal=principal))


@router.post(
    "/protocols",
    status_code=201,
    response_model=ProtocolRead,
    responses=problem_responses(401, 403, 404, 422),
    summary="Record the protocol of a mass reception",
)
async def record_protocol(
    request: Request, session: SessionDep, credentials: Recorder,
    now: NowDep, data: ProtocolCreate, idempotency_key: IdempotencyKey = None,
) -> ProtocolRead:  # fmt: skip
    """R-11.3, R-1.7, §60: per person name, residence, summary, result. An entry resolved on
    the spot gets no number and no deadline; any other is registered as an oral appeal
    (channel `mass_reception`) whose `reception_id` is this protocol's."""
    principal = await authorize(session, credentials, request)
    intake = _intake(request, credentials, now)
    protocol, entries = await service.record_protocol(
        session, intake, data=data, principal=principal,
        protocol_id=_record_id(credentials, idempotency_key),
    )  # fmt: skip
    return await reads.protocol(session, protocol, entries, principal=principal)


PROTOCOL_RESPONSES = {
    200: {
        "description": "The protocol as JSON, or a printable A4 page (`format=html` or "
        "`Accept: text/html`).",
        "content": {HTML_MEDIA_TYPE: {"schema": {"type": "string"}}},
    },
    **problem_responses(401, 403, 404, 422),
}


@router.get(
    "/protocols/{protocol_id}",
    response_model=ProtocolRead,
    responses=PROTOCOL_RESPONSES,
    summary="A mass reception protocol, JSON or printable HTML",
)
async def get_protocol(
    request: Request, response: Response, session: SessionDep, principal: Reader,
    protocol_id: UUID,
    format: Annotated[Literal["json", "html"] | None, Query()] = None, lang: Lang = None,
) -> ProtocolRead | HTMLResponse:  # fmt: skip
    """R-11.3, §60: the protocol; `format=html` prints it in `lang` (or `Accept-Language`):
    uz (Latin, default), uz-Cyrl, ru, en."""
    protocol, entries = await service.get_protocol(session, protocol_id)
    read = await reads.protocol(session, protocol, entries, principal=principal)
    if format == "html" or (format is None and prefers_html(request.headers.get("accept"))):
        chosen = i18n.negotiate(lang, request.headers.get("accept-language"))
        headers = {
            "Vary": "Accept, Accept-Language",
            "Content-Language": chosen,
            **page_headers(html.PAGE_STYLE),
        }
        return HTMLResponse(html.protocol_page(read, chosen), headers=headers)
    response.headers["Vary"] = "Accept"
    return read


@router.get(
    "/{reception_id:uuid}",  # a UUID only: GET /receptions/protocols is 405 (issue 19)
    response_model=PersonalReceptionRead,
    responses=problem_responses(401, 403, 404, 422),
    summary="One personal reception",
)
async def get_reception(
    session: SessionDep, principal: Reader, reception_id: UUID
) -> PersonalReceptionRead:
    """R-11.2: the reception; the identity document masked as in the list."""
    reception = await service.get_personal(session, reception_id)
    return (await reads.personal(session, [reception], principal=principal))[0]
