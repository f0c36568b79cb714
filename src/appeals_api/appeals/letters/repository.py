"""The letters' SQL (R-6.4)."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from appeals_api.appeals.models import Letter


async def letters_of(session: AsyncSession, appeal_id: uuid.UUID) -> list[Letter]:
    """Every letter of an appeal, in the order they were drafted."""
    rows = await session.scalars(
        select(Letter).where(Letter.appeal_id == appeal_id).order_by(Letter.id)
    )
    return list(rows)


async def get(session: AsyncSession, letter_id: int) -> Letter | None:
    return await session.get(Letter, letter_id)
