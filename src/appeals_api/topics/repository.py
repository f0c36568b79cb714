"""All SQL of the classifier (R-13)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import asyncpg
from sqlalchemy import or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from appeals_api.topics.models import Topic


async def list_topics(session: AsyncSession, *, include_retired: bool) -> list[Topic]:
    query = select(Topic).order_by(Topic.code)
    if not include_retired:
        query = query.where(Topic.retired_at.is_(None))
    return list(await session.scalars(query))


async def get(session: AsyncSession, code: str, *, for_update: bool = False) -> Topic | None:
    query = select(Topic).where(Topic.code == code)
    return (await session.scalars(query.with_for_update() if for_update else query)).first()


async def insert(session: AsyncSession, values: dict[str, Any]) -> Topic | None:
    """The new topic, or None when its code is taken."""
    statement = pg_insert(Topic).values(**values).on_conflict_do_nothing().returning(Topic)
    return (await session.scalars(statement)).one_or_none()


async def change(session: AsyncSession, code: str, values: dict[str, Any]) -> None:
    await session.execute(update(Topic).where(Topic.code == code).values(**values))


async def retire(session: AsyncSession, code: str, *, at: datetime, reason: str) -> None:
    await change(session, code, {"retired_at": at, "retired_reason": reason})


async def with_codes(session: AsyncSession, codes: Iterable[str]) -> dict[str, Topic]:
    wanted = sorted(set(codes))
    if not wanted:
        return {}
    rows = await session.scalars(select(Topic).where(Topic.code.in_(wanted)))
    return {t.code: t for t in rows}


async def codes_under(session: AsyncSession, code: str) -> list[str]:
    """The topic and its sub-topics at every level, retired ones too."""
    rows = await session.scalars(
        select(Topic.code).where(or_(Topic.code == code, Topic.code.startswith(code + ".")))
    )
    return sorted({code, *rows})


async def activity(pool: asyncpg.Pool, codes: list[str]) -> dict[str, bool]:
    """Whether each known code among `codes` is active (intake reads through the pool)."""
    rows = await pool.fetch(
        "SELECT code, retired_at IS NULL AS active FROM topics WHERE code = ANY($1::varchar[])",
        codes,
    )
    return {r["code"]: r["active"] for r in rows}
