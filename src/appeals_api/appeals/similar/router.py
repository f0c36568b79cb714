"""HTTP for suggestions: GET /api/v1/appeals/{id}/similar (R-2.3, issue 15)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from appeals_api.appeals.access import Visible, visible_to
from appeals_api.appeals.similar import service
from appeals_api.appeals.similar.schemas import SimilarPage
from appeals_api.auth.roles import Role
from appeals_api.deps import SettingsDep
from appeals_api.errors import problem_responses

router = APIRouter(prefix="/api/v1", tags=["appeals"])

# Who decides that an appeal is a duplicate or a repeat, and sees every applicant:
# to anyone else the list would say whose phone or name another appeal carries.
Decider = Annotated[Visible, Depends(visible_to(Role.REGISTRAR, Role.MANAGER))]


@router.get(
    "/appeals/{appeal_id}/similar",
    response_model=SimilarPage,
    responses=problem_responses(401, 403, 404, 422),
    summary="Likely duplicates and repeats of an appeal (R-2.3)",
)
async def similar(request: Request, seen: Decider, settings: SettingsDep) -> SimilarPage:
    """The same applicant's appeals on the same matter, received within
    `APPEALS_SIMILAR_WINDOW_DAYS` before or after this one, best first: the applicant is
    recognised by phone, e-mail, or name across Latin and Cyrillic and spellings (with the
    address, or alone when no contact says otherwise). Each says whether the later of the two
    is a `duplicate` (§29) or a `repeat` (§50) of the earlier; the registrar confirms with the
    `join` or `answer_duplicate` action, or a `related` correction. Appeals registered in the
    last seconds appear once the worker has indexed them."""
    appeal = seen.appeal
    subject = service.Subject(
        id=appeal.id,
        applicants=list(appeal.applicants or []),
        text=" ".join(filter(None, (appeal.summary, appeal.text))),
        received_at=appeal.received_at,
        completed_on=appeal.completed_on,
        due_date=appeal.due_date,
    )
    found = await service.suggestions(request.app.state.pool, settings, subject, earlier_only=False)
    return SimilarPage(items=found)
