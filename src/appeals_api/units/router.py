from __future__ import annotations

from fastapi import APIRouter

from appeals_api.db import SessionDep
from appeals_api.deps import AdminKey, AnyKey
from appeals_api.errors import problem_responses
from appeals_api.units import service
from appeals_api.units.schemas import UnitCreate, UnitList, UnitRead

router = APIRouter(prefix="/api/v1/units", tags=["units"])


@router.get("", response_model=UnitList, responses=problem_responses(401, 403))
async def list_units(session: SessionDep, _: AnyKey) -> UnitList:
    """The structural units appeals can be routed to."""
    return UnitList(items=[UnitRead.model_validate(u) for u in await service.list_units(session)])


@router.post(
    "",
    status_code=201,
    response_model=UnitRead,
    responses=problem_responses(401, 403, 409, 422),
)
async def create_unit(session: SessionDep, _: AdminKey, body: UnitCreate) -> UnitRead:
    """Add a structural unit (admin)."""
    return UnitRead.model_validate(
        await service.create_unit(session, code=body.code, name=body.name)
    )
