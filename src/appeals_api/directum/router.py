"""HTTP for DIRECTUM's callbacks (role `directum`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from appeals_api.auth.dependencies import require
from appeals_api.auth.roles import Principal, Role
from appeals_api.db import SessionDep
from appeals_api.directum import callbacks
from appeals_api.directum.schemas import CallbackCreate, CallbackResult
from appeals_api.errors import problem_responses
from appeals_api.state import state_of

router = APIRouter(prefix="/api/v1/directum", tags=["directum"])


@router.post(
    "/callbacks",
    response_model=CallbackResult,
    responses=problem_responses(401, 403, 404, 409, 413, 422),
    summary="DIRECTUM reports: a unit accepted the appeal, or registered its response",
)
async def post_callback(
    request: Request,
    session: SessionDep,
    principal: Annotated[Principal, Depends(require(Role.DIRECTUM))],
    body: CallbackCreate,
) -> CallbackResult:
    """R-4.2: idempotent by `callback_id` (a retry answers the same and changes nothing; the
    same id with another body is 409), and safe in any order. `accepted` records the unit's
    acceptance as the unit's `accept` action does; `response_registered` records the letter's
    registration number and date. `outcome` says what the callback did."""
    return await callbacks.receive(
        session,
        state_of(request).settings,
        data=body,
        principal=principal,
        now=state_of(request).clock(),
    )
