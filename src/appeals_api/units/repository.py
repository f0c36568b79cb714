"""The units' SQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from appeals_api.units.models import Unit


async def list_units(session: AsyncSession) -> list[Unit]:
    return list(await session.scalars(select(Unit).order_by(Unit.code)))


async def insert(session: AsyncSession, *, code: str, name: str) -> Unit | None:
    """The new unit, or None when its code (in any case) is taken."""
    stmt = pg_insert(Unit).values(code=code, name=name).on_conflict_do_nothing().returning(Unit)
    return (await session.scalars(stmt)).one_or_none()


async def change(session: AsyncSession, code: str, values: dict[str, Any]) -> Unit | None:
    unit = await session.get(Unit, code, with_for_update=True)
    if unit is not None:
        for name, value in values.items():
            setattr(unit, name, value)
        await session.flush()
    return unit


async def known(session: AsyncSession, codes: list[str]) -> dict[str, Unit]:
    rows = await session.scalars(select(Unit).where(func.upper(Unit.code).in_(codes)))
    return {u.code: u for u in rows}
