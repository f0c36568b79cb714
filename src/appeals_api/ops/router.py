"""HTTP for operators: is the worker alive, and how much is waiting."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from appeals_api.auth.dependencies import require
from appeals_api.auth.roles import Principal, Role
from appeals_api.db import SessionDep
from appeals_api.deps import NowDep, SettingsDep
from appeals_api.errors import problem_responses
from appeals_api.ops import service
from appeals_api.ops.schemas import WorkerHealth

router = APIRouter(prefix="/api/v1/worker", tags=["operations"])


@router.get(
    "/health",
    response_model=WorkerHealth,
    responses=problem_responses(401, 403),
    summary="The worker's heartbeat and the delivery backlog",
)
async def worker_health(
    session: SessionDep,
    _: Annotated[Principal, Depends(require(Role.ADMIN, Role.SUPERVISOR))],
    settings: SettingsDep,
    now: NowDep,
) -> WorkerHealth:
    """The age of the last worker heartbeat (written every worker tick), each worker seen in
    the last day, and the backlog of events and deliveries waiting for it."""
    return await service.health(session, settings, now=now)
