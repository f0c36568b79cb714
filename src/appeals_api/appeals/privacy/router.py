"""HTTP for the personal-data access log (R-8.2): who read a confidential applicant, and when."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict

from appeals_api.appeals.privacy import service as privacy
from appeals_api.auth.dependencies import require
from appeals_api.auth.roles import Principal, Role
from appeals_api.db import SessionDep
from appeals_api.errors import problem_responses

router = APIRouter(prefix="/api/v1/access-log", tags=["privacy"])


class AccessRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    appeal_id: UUID
    at: datetime
    principal: str
    role: str
    via: str


class AccessPage(BaseModel):
    items: list[AccessRead]
    next_cursor: str | None


@router.get(
    "",
    response_model=AccessPage,
    responses=problem_responses(401, 403, 422),
    summary="Reads of confidential applicants' personal data (R-8.2)",
)
async def access_log(
    session: SessionDep,
    _: Annotated[Principal, Depends(require(Role.ADMIN, Role.SUPERVISOR))],
    appeal_id: UUID | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    cursor: Annotated[str | None, Query(max_length=18, pattern=r"^\d+$")] = None,
) -> AccessPage:
    """Oldest first; every unmasked answer about a confidential appeal left one row here."""
    rows = await privacy.access_log(
        session, appeal_id=appeal_id, after=int(cursor) if cursor else 0, limit=limit + 1
    )
    page = rows[:limit]
    return AccessPage(
        items=[AccessRead.model_validate(r) for r in page],
        next_cursor=str(page[-1].id) if len(rows) > limit else None,
    )
