"""HTTP for the audit of the record (R-9.5): verify the hash chains, export their heads."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from appeals_api.audit import service
from appeals_api.audit.schemas import AuditReport, ChainHeadPage
from appeals_api.auth.dependencies import require
from appeals_api.auth.roles import Principal, Role
from appeals_api.db import SessionDep
from appeals_api.errors import problem_responses

router = APIRouter(prefix="/api/v1/audit", tags=["audit"])

Auditor = Annotated[Principal, Depends(require(Role.ADMIN, Role.SUPERVISOR))]


@router.get(
    "/verify",
    response_model=AuditReport,
    responses=problem_responses(401, 403, 422),
    summary="Recompute every history chain; name the first break of each (R-9.5)",
)
async def verify(
    session: SessionDep,
    _: Auditor,
    limit: Annotated[int, Query(ge=1, le=1000, description="At most this many findings")] = 100,
) -> AuditReport:
    """Each appeal's history is a hash chain; a finding names the first entry changed, removed
    or inserted outside the service. A chain cut short at its end, or rewritten consistently,
    shows only against exported heads (`appeals-api audit verify --heads FILE`)."""
    return await service.verify(session, limit=limit)


@router.get(
    "/heads",
    response_model=ChainHeadPage,
    responses=problem_responses(401, 403, 422),
    summary="The head of every history chain, a page at a time, for safekeeping (R-9.5)",
)
async def heads(
    session: SessionDep,
    _: Auditor,
    after: Annotated[uuid.UUID | None, Query(description="`next_after` of the last page")] = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
) -> ChainHeadPage:
    """Appeals in the order of their ids; keep the heads elsewhere, e.g. daily."""
    return await service.heads_page(session, after=after, limit=limit)
