"""HTTP for corrections of registration data (R-12.2)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Request, Response

from appeals_api.appeals.corrections import service
from appeals_api.appeals.corrections.schemas import AppealCorrection
from appeals_api.appeals.lifecycle.router import IfMatch
from appeals_api.appeals.lifecycle.service import etag
from appeals_api.appeals.reading import service as reading
from appeals_api.appeals.reading.viewer import viewer_of
from appeals_api.appeals.schemas import AppealRead
from appeals_api.auth.dependencies import require
from appeals_api.auth.roles import Principal, Role
from appeals_api.db import SessionDep
from appeals_api.errors import problem_responses
from appeals_api.state import state_of

router = APIRouter(prefix="/api/v1/appeals", tags=["appeals"])

# the Appeals Department corrects what it registered; management may too.
Corrector = Annotated[Principal, Depends(require(Role.REGISTRAR, Role.MANAGER))]


@router.patch(
    "/{appeal_id}",
    response_model=AppealRead,
    responses=problem_responses(400, 401, 403, 404, 412, 413, 422),
    summary="Correct the appeal's registration data (R-12.2)",
)
async def correct_appeal(
    request: Request,
    response: Response,
    session: SessionDep,
    principal: Corrector,
    appeal_id: UUID,
    body: AppealCorrection,
    if_match: IfMatch = None,
) -> AppealRead:
    """R-12.2: the fields sent replace the registration data (`null` clears an optional one),
    with a required `reason`; each changed field is kept before → after in the history.

    Correctable: `applicants`, `respond_to`, `representative`, `addressee`, `summary`, `kind`,
    `language`, `confidential`, `external_ref`, `paper`. The server owns the rest: `number`,
    `year`, `seq`, `received_at`, `status`, the deadlines and the text as received (422 names
    the field). A kind whose answer rule differs (a proposal: one month, §37; an application or
    complaint: 15 days, §36) recomputes the open answer deadline from the same start; recorded
    violations stay (R-9.4). `If-Match` as for actions: a stale ETag is 412."""
    state = state_of(request)
    appeal = await service.correct(
        session,
        state.settings,
        appeal_id=appeal_id,
        body=body,
        principal=principal,
        now=state.clock(),
        if_match=if_match,
    )
    response.headers["ETag"] = etag(appeal)
    return await reading.read(session, appeal, viewer_of(request, principal), via="correct")
