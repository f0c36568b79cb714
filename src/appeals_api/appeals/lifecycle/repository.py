"""All SQL of the lifecycle: what an action reads and locks beyond the appeal itself."""

from __future__ import annotations

import uuid

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from appeals_api.appeals.models import (
    Appeal,
    AppealHistory,
    Assignment,
    Letter,
    Measure,
    Resolution,
)


async def current_assignments(session: AsyncSession, appeal_id: uuid.UUID) -> list[Assignment]:
    rows = await session.scalars(
        select(Assignment)
        .join(Resolution, Resolution.id == Assignment.resolution_id)
        .where(Assignment.appeal_id == appeal_id, Resolution.superseded_at.is_(None))
        .order_by(Assignment.position)
    )
    return list(rows)


async def letters_of(session: AsyncSession, appeal_id: uuid.UUID) -> list[Letter]:
    rows = await session.scalars(
        select(Letter).where(Letter.appeal_id == appeal_id).order_by(Letter.id)
    )
    return list(rows)


async def resolutions_of(session: AsyncSession, appeal_id: uuid.UUID) -> list[Resolution]:
    rows = await session.scalars(
        select(Resolution).where(Resolution.appeal_id == appeal_id).order_by(Resolution.id)
    )
    return list(rows)


async def assignments_of(session: AsyncSession, appeal_id: uuid.UUID) -> list[Assignment]:
    rows = await session.scalars(
        select(Assignment).where(Assignment.appeal_id == appeal_id).order_by(Assignment.id)
    )
    return list(rows)


async def measures_of(session: AsyncSession, appeal_id: uuid.UUID) -> list[Measure]:
    rows = await session.scalars(
        select(Measure).where(Measure.appeal_id == appeal_id).order_by(Measure.id)
    )
    return list(rows)


async def joined_duplicates(session: AsyncSession, original_id: uuid.UUID) -> list[Appeal]:
    """R-5.2: the duplicates joined to an appeal, locked: they are answered with it."""
    rows = await session.scalars(
        select(Appeal)
        .where(Appeal.joined_to == original_id, Appeal.completed_on.is_(None))
        .order_by(Appeal.id)
        .with_for_update()
    )
    return list(rows)


async def current_resolutions(session: AsyncSession, appeal_id: uuid.UUID) -> list[Resolution]:
    """The resolution in force (R-4.3: a new one supersedes it, which stays)."""
    rows = await session.scalars(
        select(Resolution).where(
            Resolution.appeal_id == appeal_id, Resolution.superseded_at.is_(None)
        )
    )
    return list(rows)


async def measure_for_update(session: AsyncSession, measure_id: int) -> Measure | None:
    return await session.get(Measure, measure_id, with_for_update=True)


async def duplicates_on_control(session: AsyncSession, original_id: uuid.UUID) -> list[Appeal]:
    """R-5.2, §66: the duplicates joined to an appeal still on control, locked."""
    rows = await session.scalars(
        select(Appeal)
        .where(Appeal.joined_to == original_id, Appeal.control_removed_at.is_(None))
        .with_for_update()
    )
    return list(rows)


async def was_extended(session: AsyncSession, appeal_id: uuid.UUID) -> bool:
    """Whether a deadline of the appeal was ever extended: §36 allows it once (R-3.4)."""
    found = await session.scalar(
        select(
            exists().where(AppealHistory.appeal_id == appeal_id, AppealHistory.action == "extend")
        )
    )
    return bool(found)
