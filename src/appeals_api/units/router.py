from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from appeals_api.db import SessionDep
from appeals_api.deps import AdminKey, AnyKey, NowDep
from appeals_api.errors import problem_responses
from appeals_api.rows import from_row
from appeals_api.units import service
from appeals_api.units.models import Unit
from appeals_api.units.schemas import UnitCreate, UnitList, UnitPatch, UnitRead

router = APIRouter(prefix="/api/v1/units", tags=["units"])


def _read(unit: Unit) -> UnitRead:
    return from_row(UnitRead, unit, retired=unit.retired_at is not None)


@router.get("", response_model=UnitList, responses=problem_responses(401, 403))
async def list_units(session: SessionDep, _: AnyKey) -> UnitList:
    """The structural units appeals can be routed to; retired ones are listed, flagged."""
    return UnitList(items=[_read(u) for u in await service.list_units(session)])


@router.post(
    "",
    status_code=201,
    response_model=UnitRead,
    responses=problem_responses(401, 403, 409, 422),
)
async def create_unit(session: SessionDep, _: AdminKey, body: UnitCreate) -> UnitRead:
    """Add a structural unit (admin); its code is kept in upper case."""
    return _read(await service.create_unit(session, code=body.code, name=body.name))


@router.patch(
    "/{code}",
    response_model=UnitRead,
    responses=problem_responses(401, 403, 404, 422),
)
async def update_unit(
    session: SessionDep,
    principal: AdminKey,
    now: NowDep,
    body: UnitPatch,
    code: Annotated[str, Path(max_length=64)],
) -> UnitRead:
    """Rename a unit or retire it (admin): a retired unit receives no new routings."""
    unit = await service.update_unit(
        session, code=code, name=body.name, retired=body.retired, by=principal.label, now=now
    )
    return _read(unit)
