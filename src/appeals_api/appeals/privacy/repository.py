"""All SQL of the personal-data access log (R-8.2): appended to, read in order, never changed."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from appeals_api.appeals.models import PersonalDataAccess


async def insert_accesses(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    await session.execute(insert(PersonalDataAccess), rows)


async def accesses(
    session: AsyncSession, *, appeal_id: Any | None, after: int, limit: int
) -> list[PersonalDataAccess]:
    stmt = select(PersonalDataAccess).where(PersonalDataAccess.id > after)
    if appeal_id is not None:
        stmt = stmt.where(PersonalDataAccess.appeal_id == appeal_id)
    return list(await session.scalars(stmt.order_by(PersonalDataAccess.id).limit(limit)))
