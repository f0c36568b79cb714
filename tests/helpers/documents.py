"""Uploading and reading documents over HTTP, and counting what storage holds."""

from __future__ import annotations

import os
from typing import Any

import httpx
from sqlalchemy import text

from appeals_api.config import Settings
from appeals_api.db import make_engine
from tests.helpers.common import auth

PDF_HEAD = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"


def pdf(size: int) -> bytes:
    """`size` bytes that a PDF's signature starts (the rest random, as compressed streams are)."""
    return PDF_HEAD + os.urandom(size - len(PDF_HEAD))


async def upload(
    client: httpx.AsyncClient,
    token: str,
    appeal_id: str,
    data: bytes,
    *,
    kind: str = "attachment",
    name: str = "scan.pdf",
    key: str | None = None,
) -> httpx.Response:
    headers = auth(token) | ({"Idempotency-Key": key} if key else {})
    return await client.post(
        f"/api/v1/appeals/{appeal_id}/documents",
        data={"kind": kind},
        files={"file": (name, data, "application/octet-stream")},
        headers=headers,
    )


async def download(client: httpx.AsyncClient, token: str, document_id: str) -> tuple[Any, bytes]:
    """The answer (its headers) and the bytes, read piece by piece as they stream."""
    body = bytearray()
    url = f"/api/v1/documents/{document_id}/content"
    async with client.stream("GET", url, headers=auth(token)) as r:
        if r.status_code != 200:
            await r.aread()  # a problem: read whole, for its JSON
            return r, r.content
        async for piece in r.aiter_bytes():
            body += piece
    return r, bytes(body)


async def stored_counts(settings: Settings) -> tuple[int, int]:
    """How many documents and chunks the database holds."""
    engine = make_engine(settings)
    try:
        async with engine.connect() as conn:
            documents = await conn.scalar(text("SELECT count(*) FROM documents"))
            chunks = await conn.scalar(text("SELECT count(*) FROM document_chunks"))
    finally:
        await engine.dispose()
    return int(documents or 0), int(chunks or 0)
