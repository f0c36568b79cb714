"""HTTP for appeals: intake, reading, lists, history, and the applicant's status lookup."""

from __future__ import annotations

import base64
import binascii
from datetime import date, datetime, time, timedelta
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Header, Path, Query, Request, Response
from pydantic_core import to_json

from appeals_api.appeals import repository
from appeals_api.appeals.enums import Channel, Form, Kind, Status
from appeals_api.appeals.intake import statement as fastpath
from appeals_api.appeals.models import Appeal
from appeals_api.appeals.reading import service
from appeals_api.appeals.schemas import (
    AppealCreate,
    AppealCreated,
    AppealPage,
    AppealRead,
    HistoryEntry,
    HistoryPage,
    PublicStatus,
)
from appeals_api.auth.dependencies import Credentials, admit, authorize, require, require_key
from appeals_api.auth.roles import APPEAL_CREATORS, APPEAL_READERS, Principal, Role
from appeals_api.config import Settings
from appeals_api.db import SessionDep, open_session, reads_only
from appeals_api.errors import (
    BadRequest,
    FieldError,
    NotFound,
    Unprocessable,
    problem_responses,
)
from appeals_api.ratelimit import Limit, RateLimiter

router = APIRouter(prefix="/api/v1", tags=["appeals"])

MIN_DATE, MAX_DATE = date(1991, 1, 1), date(2200, 12, 31)

Reader = Annotated[Principal, Depends(require(*APPEAL_READERS))]
# The hot routes check the key inside their own statement (`fastpath`).
CreatorKey = Annotated[Credentials, Depends(require_key(*APPEAL_CREATORS))]
ReaderKey = Annotated[Credentials, Depends(require_key(*APPEAL_READERS))]

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=255,
        pattern=r"^[\x21-\x7e]+$",
        description="A retry with the same key and body returns the first answer (R-1.8).",
    ),
]


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _limiter(request: Request) -> RateLimiter:
    limiter: RateLimiter = request.app.state.limiter
    return limiter


def _now(request: Request) -> datetime:
    now: datetime = request.app.state.clock()
    return now


@router.post(
    "/appeals",
    status_code=201,
    response_model=AppealCreated,
    responses=problem_responses(400, 401, 403, 409, 413, 422, 429),
    summary="Register an appeal",
)
async def create_appeal(
    request: Request,
    data: AppealCreate,
    credentials: CreatorKey,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Intake (R-1): registered with its yearly number (R-2.1) and legal deadlines (R-3)."""
    settings, state, now = _settings(request), request.app.state, _now(request)
    await _limiter(request).hit(
        Limit("intake", settings.intake_per_key_per_minute, 60),
        credentials.key_hash,
        now=now.timestamp(),
    )
    fast = await fastpath.register(
        state.pool,
        settings,
        state.calendars,
        data=data,
        credentials=credentials,
        now=now,
        idempotency_key=idempotency_key,
    )
    if fast is not None:
        request.state.principal = fast.principal
        result = fast.registered
    else:
        async with open_session(request) as session:
            principal = await authorize(session, credentials, request)
            result = await service.register(
                session,
                settings,
                data=data,
                principal=principal,
                now=now,
                idempotency_key=idempotency_key,
                calendars=state.calendars,
            )
    headers = {"Location": f"/api/v1/appeals/{result.body['id']}"}
    if result.replayed:
        headers["Idempotent-Replayed"] = "true"
    return Response(to_json(result.body), 201, headers, media_type="application/json")


def _decode_cursor(cursor: str | None) -> tuple[int, int] | None:
    if cursor is None:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor.encode() + b"=" * (-len(cursor) % 4)).decode()
        year, seq = (int(p) for p in raw.split(":", 1))
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise BadRequest("The cursor is not one this API gave out.") from exc
    return year, seq


def _encode_cursor(year: int, seq: int) -> str:
    return base64.urlsafe_b64encode(f"{year}:{seq}".encode()).decode().rstrip("=")


def _start_of(day: date, settings: Settings) -> datetime:
    return datetime.combine(day, time.min, tzinfo=settings.tz)


@router.get(
    "/appeals",
    response_model=AppealPage,
    responses=problem_responses(400, 401, 403, 422),
    summary="Search and list appeals, newest number first",
)
@reads_only
async def list_appeals(
    request: Request,
    session: SessionDep,
    principal: Reader,
    status: Status | None = None,
    kind: Kind | None = None,
    channel: Channel | None = None,
    form: Form | None = None,
    unit: Annotated[str | None, Query(max_length=64)] = None,
    received_from: Annotated[date | None, Query(description="Tashkent date, inclusive")] = None,
    received_to: Annotated[date | None, Query(description="Tashkent date, inclusive")] = None,
    overdue: bool | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> AppealPage:
    settings = _settings(request)
    for name, value in (("received_from", received_from), ("received_to", received_to)):
        if value is not None and not MIN_DATE <= value <= MAX_DATE:
            raise Unprocessable(
                f"{name} is out of range",
                [FieldError(field=name, message="between 1991 and 2200", type="range")],
            )
    if received_from and received_to and received_from > received_to:
        raise Unprocessable("received_from is after received_to")
    flt = repository.ListFilter(
        status=status,
        kind=kind,
        channel=channel,
        form=form,
        unit=unit,
        received_from=_start_of(received_from, settings) if received_from else None,
        received_before=(
            _start_of(received_to + timedelta(days=1), settings) if received_to else None
        ),
        overdue=overdue,
        only_unit=principal.unit_code if principal.role is Role.EXECUTOR else None,
    )
    now = _now(request)
    rows = await repository.list_appeals(
        session,
        flt,
        after=_decode_cursor(cursor),
        limit=limit + 1,
        today=now.astimezone(settings.tz).date(),
    )
    page = rows[:limit]
    items = await service.read_many(
        session, page, principal=principal, now=now, tz=settings.tz, via="list"
    )
    next_cursor = _encode_cursor(page[-1].year, page[-1].seq) if len(rows) > limit else None
    return AppealPage(items=items, next_cursor=next_cursor)


@router.get(
    "/appeals/by-number/{year}/{number}",
    response_model=AppealRead,
    responses=problem_responses(401, 403, 404, 422),
    summary="Look an appeal up by its registration number",
)
@reads_only
async def get_by_number(
    request: Request,
    session: SessionDep,
    principal: Reader,
    year: Annotated[int, Path(ge=1991, le=2200)],
    number: Annotated[int, Path(ge=1, le=10_000_000)],
) -> AppealRead:
    appeal = await repository.find_by_number(session, year=year, seq=number)
    if appeal is None or not service.can_see(principal, appeal):
        raise NotFound("No such appeal.")
    return await _read(request, session, appeal, principal, via="by_number")


async def _read(
    request: Request,
    session: SessionDep,
    appeal: Appeal | service.Row,
    principal: Principal,
    *,
    via: str,
) -> AppealRead:
    return await service.read(
        session, appeal, principal=principal, now=_now(request), tz=_settings(request).tz, via=via
    )


@router.get(
    "/appeals/{appeal_id}",
    response_model=AppealRead,
    responses=problem_responses(401, 403, 404, 422),
    summary="One appeal",
)
@reads_only
async def get_appeal(request: Request, credentials: ReaderKey, appeal_id: UUID) -> Response:
    now, settings = _now(request), _settings(request)
    fast = await fastpath.read(
        request.app.state.pool, settings, credentials=credentials, appeal_id=appeal_id, now=now
    )
    if fast is None:  # the key was not valid: the general path says why (401)
        async with open_session(request) as session:
            principal = await authorize(session, credentials, request)
            appeal: Appeal | service.Row = await service.get_visible(
                session, appeal_id=appeal_id, principal=principal
            )
            read = await _read(request, session, appeal, principal, via="read")
    else:
        principal = admit(fast.principal, credentials.allowed, request)
        if fast.appeal is None:
            raise NotFound("No such appeal.")
        appeal, fast_read = fast.appeal, fast.read
        if fast_read is None:  # DIRECTUM status, or a logged read of personal data
            async with open_session(request) as session:
                fast_read = await _read(request, session, appeal, principal, via="read")
        read = fast_read
    return Response(
        read.model_dump_json(),
        media_type="application/json",
        headers={"ETag": f'"{appeal.version}"'},
    )


@router.get(
    "/appeals/{appeal_id}/history",
    response_model=HistoryPage,
    responses=problem_responses(400, 401, 403, 404, 422),
    summary="Every change of an appeal: who, when, what",
)
async def get_history(
    session: SessionDep,
    principal: Reader,
    appeal_id: UUID,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    cursor: Annotated[str | None, Query(max_length=18, pattern=r"^\d+$")] = None,
) -> HistoryPage:
    appeal = await service.get_visible(session, appeal_id=appeal_id, principal=principal)
    rows = await service.history(
        session, appeal=appeal, after=int(cursor) if cursor else 0, limit=limit + 1
    )
    page = rows[:limit]
    items = [
        HistoryEntry(
            id=h.id,
            at=h.at,
            actor=h.actor_name,
            actor_role=h.actor_role,
            action=h.action,
            changes=h.changes,
            note=h.note,
        )
        for h in page
    ]
    return HistoryPage(items=items, next_cursor=str(page[-1].id) if len(rows) > limit else None)


public_router = APIRouter(prefix="/api/v1/public", tags=["public"])


@public_router.get(
    "/appeals/{year}/{number}",
    response_model=PublicStatus,
    responses=problem_responses(404, 422, 429),
    summary="The applicant's status lookup (no key; the tracking code from intake)",
)
async def public_status(
    request: Request,
    session: SessionDep,
    year: Annotated[int, Path(ge=1991, le=2200)],
    number: Annotated[int, Path(ge=1, le=10_000_000)],
    code: Annotated[str, Query(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9-]+$")],
) -> PublicStatus:
    """Limited per client address and per appeal number, so codes cannot be guessed (R-8.1)."""
    settings = _settings(request)
    limiter, now = _limiter(request), _now(request).timestamp()
    address = request.client.host if request.client else "unknown"
    await limiter.hit(
        Limit("lookup-address", settings.public_lookups_per_address_per_minute, 60),
        address,
        now=now,
    )
    await limiter.hit(
        Limit("lookup-number", settings.public_lookups_per_number_per_hour, 3600),
        f"{year}/{number}",
        now=now,
    )
    return await service.public_status(
        session, year=year, seq=number, code=code, tz=_settings(request).tz
    )
