"""The directory of structural units (§19, §27): added, renamed and retired by the admin."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from appeals_api.errors import Conflict, NotFound
from appeals_api.units import repository
from appeals_api.units.models import Unit

logger = logging.getLogger("appeals_api.units")


async def list_units(session: AsyncSession) -> list[Unit]:
    """Every unit, the retired ones too (flagged), by code."""
    return await repository.list_units(session)


async def create_unit(session: AsyncSession, *, code: str, name: str) -> Unit:
    """Add a unit; its code (upper case) is its identity and is never reused for another."""
    created = await repository.insert(session, code=code.upper(), name=name)
    if created is None:
        raise Conflict(f"unit {code.upper()!r} already exists")
    return created


async def update_unit(
    session: AsyncSession,
    *,
    code: str,
    name: str | None,
    retired: bool | None,
    by: str,
    now: datetime,
) -> Unit:
    """Rename a unit, retire it (no new routings; its appeals and history keep it) or bring it
    back; who did it and when is kept on the unit and in the log."""
    values: dict[str, object] = {"updated_at": now, "updated_by": by}
    if name is not None:
        values["name"] = name
    if retired is not None:
        values["retired_at"] = now if retired else None
    unit = await repository.change(session, code.upper(), values)
    if unit is None:
        raise NotFound(f"no unit {code.upper()!r}")
    logger.info(
        "unit changed",
        extra={"unit": unit.code, "by": by, "renamed": name is not None, "retired": retired},
    )
    return unit


async def unknown_codes(session: AsyncSession, codes: list[str]) -> list[str]:
    """The codes among `codes` that name no unit."""
    known = await repository.known(session, [c.upper() for c in codes])
    return [c for c in codes if c.upper() not in known]


async def retired_codes(session: AsyncSession, codes: list[str]) -> list[str]:
    """The codes among `codes` whose unit is retired: they receive no new routings."""
    known = await repository.known(session, [c.upper() for c in codes])
    return [c for c in codes if (u := known.get(c.upper())) is not None and u.retired_at]
