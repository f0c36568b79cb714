"""The directory of structural units (§19, §27)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from appeals_api.errors import Conflict
from appeals_api.units.models import Unit


async def list_units(session: AsyncSession) -> list[Unit]:
    return list(await session.scalars(select(Unit).order_by(Unit.code)))


async def create_unit(session: AsyncSession, *, code: str, name: str) -> Unit:
    """Add a unit; its code is its identity and is never reused for another unit."""
    created = (
        await session.scalars(
            pg_insert(Unit).values(code=code, name=name).on_conflict_do_nothing().returning(Unit)
        )
    ).one_or_none()
    if created is None:
        raise Conflict(f"unit {code!r} already exists")
    return created


async def unknown_codes(session: AsyncSession, codes: list[str]) -> list[str]:
    """The codes among `codes` that name no unit."""
    known = set(await session.scalars(select(Unit.code).where(Unit.code.in_(codes))))
    return [c for c in codes if c not in known]
