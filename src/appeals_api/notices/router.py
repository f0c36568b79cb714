"""HTTP for the applicant's notices (R-8.4): how each was delivered, for the Appeals Department,
managers and supervisors."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from appeals_api.appeals.access import Visible, visible_to
from appeals_api.auth.roles import Role
from appeals_api.db import SessionDep
from appeals_api.deps import SettingsDep
from appeals_api.errors import problem_responses
from appeals_api.notices import service
from appeals_api.notices.schemas import NoticePage

router = APIRouter(prefix="/api/v1", tags=["notices"])

Seen = Annotated[Visible, Depends(visible_to(Role.REGISTRAR, Role.MANAGER, Role.SUPERVISOR))]


@router.get(
    "/appeals/{appeal_id}/notices",
    response_model=NoticePage,
    responses=problem_responses(401, 403, 404, 422),
    summary="The applicant's notices by e-mail and SMS, and how each was delivered (R-8.4)",
)
async def list_notices(session: SessionDep, seen: Seen, settings: SettingsDep) -> NoticePage:
    """Each notice with its channel, reason, language, status, attempts and when it was sent;
    never its text (a receipt carries the tracking code) nor the address it went to."""
    return NoticePage(items=await service.notices_of(session, seen.appeal, tz=settings.tz))
