"""HTTP for intake: POST /api/v1/appeals."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Request, Response
from pydantic_core import to_json

from appeals_api.appeals.intake import service
from appeals_api.appeals.schemas import AppealCreate, AppealCreated
from appeals_api.appeals.similar import service as similar
from appeals_api.auth.dependencies import Credentials, require_key
from appeals_api.auth.roles import APPEAL_CREATORS
from appeals_api.config import Settings
from appeals_api.errors import problem_responses
from appeals_api.hot_route import HotRoute
from appeals_api.ratelimit import Limit, RateLimiter

# The busiest route: its common request skips FastAPI's dependency walk (`hot_route`).
router = APIRouter(prefix="/api/v1", tags=["appeals"], route_class=HotRoute)

# The key is checked inside the intake statement (`intake.repository`).
CreatorKey = Annotated[Credentials, Depends(require_key(*APPEAL_CREATORS))]

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


@router.post(
    "/appeals",
    status_code=201,
    response_model=AppealCreated,
    responses=problem_responses(400, 401, 403, 409, 413, 422, 429, 503, 504),
    summary="Register an appeal",
)
async def create_appeal(
    request: Request,
    data: AppealCreate,
    credentials: CreatorKey,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Intake (R-1): registered with the number of the year it is entered in (R-2.1) and its
    legal deadlines (R-3). The form must be one its channel admits, else 422 (R-1.1, §4):
    `helpline` oral; `website`, `email`, `government_portal`, `presidential_virtual_reception`
    electronic; `post` written; receptions oral or written; `mass_media` written or electronic;
    `other` any.

    Without an `Idempotency-Key`, a body naming `external_ref` is keyed by that reference and
    the body (R-1.8): the same again within the retention gets the first answer.

    For a registrar the answer's `similar` lists the applicant's earlier appeals on the same
    matter: likely duplicates (§29) and repeats (§50) to confirm (R-2.3)."""
    state = request.app.state
    settings: Settings = state.settings
    now = state.clock()
    limiter: RateLimiter = state.limiter
    await limiter.hit(
        Limit("intake", settings.intake_per_key_per_minute, 60),
        credentials.identity,
        now=now.timestamp(),
    )
    result = await service.register(
        state.pool,
        settings,
        state.calendars,
        data=data,
        key_hash=credentials.key_hash,
        person=credentials.person,
        allowed=credentials.allowed,
        now=now,
        idempotency_key=idempotency_key,
    )
    request.state.principal = result.principal
    # After the commit, never inside it: the appeal is registered whatever this finds.
    body = {
        **result.body,
        "similar": await similar.at_intake(state.pool, settings, result.principal, result.body),
    }
    headers = {"Location": f"/api/v1/appeals/{result.body['id']}"}
    if result.replayed:
        headers["Idempotent-Replayed"] = "true"
    return Response(to_json(body), 201, headers, media_type="application/json")
