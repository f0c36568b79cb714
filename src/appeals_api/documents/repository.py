"""All SQL of documents: their rows, and the chunks of the PostgreSQL storage."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from appeals_api.documents.models import Document, DocumentChunk


async def insert_chunk(session: AsyncSession, *, blob: uuid.UUID, seq: int, data: bytes) -> None:
    await session.execute(insert(DocumentChunk).values(blob=blob, seq=seq, data=data))


async def chunk_count(session: AsyncSession, blob: uuid.UUID) -> int:
    stmt = select(func.count()).select_from(DocumentChunk).where(DocumentChunk.blob == blob)
    return int(await session.scalar(stmt) or 0)


async def chunk(session: AsyncSession, *, blob: uuid.UUID, seq: int) -> bytes | None:
    stmt = select(DocumentChunk.data).where(DocumentChunk.blob == blob, DocumentChunk.seq == seq)
    data: bytes | None = await session.scalar(stmt)
    return data


async def delete_chunks(session: AsyncSession, blob: uuid.UUID) -> None:
    await session.execute(delete(DocumentChunk).where(DocumentChunk.blob == blob))


async def insert_document(session: AsyncSession, values: dict[str, Any]) -> Document | None:
    """The new row, or None where this key's holder used this Idempotency-Key on the appeal."""
    stmt = (
        pg_insert(Document)
        .values(**values)
        .on_conflict_do_nothing(
            index_elements=[Document.appeal_id, Document.added_by_id, Document.idempotency_key]
        )
        .returning(Document)
    )
    return (await session.scalars(stmt)).one_or_none()


async def by_key(
    session: AsyncSession, *, appeal_id: uuid.UUID, added_by_id: uuid.UUID, key: str
) -> Document | None:
    stmt = select(Document).where(
        Document.appeal_id == appeal_id,
        Document.added_by_id == added_by_id,
        Document.idempotency_key == key,
    )
    return (await session.scalars(stmt)).one_or_none()


async def get(
    session: AsyncSession, document_id: uuid.UUID, *, for_update: bool = False
) -> Document | None:
    stmt = select(Document).where(Document.id == document_id)
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.scalars(stmt)).one_or_none()


async def of_appeal(session: AsyncSession, appeal_id: uuid.UUID) -> list[Document]:
    stmt = select(Document).where(Document.appeal_id == appeal_id)
    return list(await session.scalars(stmt.order_by(Document.added_at, Document.id)))


async def withdraw(session: AsyncSession, document_id: uuid.UUID, values: dict[str, Any]) -> None:
    await session.execute(update(Document).where(Document.id == document_id).values(**values))
