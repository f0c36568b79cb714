"""Where documents' bytes live: one small interface, and its PostgreSQL implementation.

The PostgreSQL storage needs no extra server (a fresh machine runs it as it is): a blob is
rows of `document_chunks` of CHUNK_BYTES each, written in the request's transaction as the
bytes arrive (so a refused or failed upload leaves nothing) and read one row at a time (so
neither direction holds a whole file in memory). An S3-compatible storage implements the
same two calls for deployments that keep files elsewhere.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterable, AsyncIterator
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from appeals_api.documents import repository

CHUNK_BYTES = 256 * 1024


class Storage(Protocol):
    async def write(self, session: AsyncSession, data: AsyncIterable[bytes]) -> str:
        """Store the bytes of `data` as they come; the key to read them by."""
        ...

    def read(self, key: str) -> AsyncIterator[bytes]:
        """The bytes stored under `key`, in order, a piece at a time."""
        ...

    async def discard(self, session: AsyncSession, key: str) -> None:
        """Forget what `write` stored (a retried upload's second copy)."""
        ...


class PostgresStorage:
    """Blobs as chunk rows; reads take their own connection, one statement per chunk (the
    response streams after the request's transaction has ended)."""

    def __init__(self, reader: async_sessionmaker[AsyncSession]) -> None:
        self._reader = reader

    async def write(self, session: AsyncSession, data: AsyncIterable[bytes]) -> str:
        blob = uuid.uuid4()
        pending = bytearray()
        seq = 0
        async for piece in data:
            pending += piece
            while len(pending) >= CHUNK_BYTES:
                await repository.insert_chunk(
                    session, blob=blob, seq=seq, data=bytes(pending[:CHUNK_BYTES])
                )
                del pending[:CHUNK_BYTES]
                seq += 1
        if pending or seq == 0:
            await repository.insert_chunk(session, blob=blob, seq=seq, data=bytes(pending))
        return str(blob)

    async def read(self, key: str) -> AsyncIterator[bytes]:
        blob = uuid.UUID(key)
        async with self._reader() as session:
            count = await repository.chunk_count(session, blob)
            for seq in range(count):
                data = await repository.chunk(session, blob=blob, seq=seq)
                if data:
                    yield data

    async def discard(self, session: AsyncSession, key: str) -> None:
        await repository.delete_chunks(session, uuid.UUID(key))
