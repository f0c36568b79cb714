"""B1, the baseline of the intake benchmark: a bare FastAPI endpoint that validates a small JSON
body and does one asyncpg `INSERT … RETURNING`, and a bare select by primary key; and the
baseline of the documents benchmark: a request body streamed into 256 KiB rows in one
transaction, and streamed back out a row at a time.

    uvicorn bench.bare_app:app  (BARE_DATABASE_URL names the database)
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, Literal

import asyncpg
from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

CREATE = """
CREATE TABLE IF NOT EXISTS bare_appeals (
    id bigserial PRIMARY KEY,
    kind text NOT NULL, form text NOT NULL, channel text NOT NULL, language text NOT NULL,
    text text NOT NULL, applicants jsonb NOT NULL, created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS bare_chunks (blob uuid, seq int, data bytea, PRIMARY KEY (blob, seq));
"""
CHUNK = 256 * 1024


class Applicant(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: Literal["individual", "legal_entity"]
    last_name: str | None = Field(default=None, max_length=200)
    first_name: str | None = Field(default=None, max_length=200)
    patronymic: str | None = Field(default=None, max_length=200)
    address: str | None = Field(default=None, max_length=500)
    phone: str | None = Field(default=None, max_length=200)


class BareAppeal(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["application", "proposal", "complaint"]
    form: Literal["oral", "written", "electronic"]
    channel: str = Field(max_length=64)
    language: str = Field(max_length=35)
    text: str = Field(min_length=1, max_length=100_000)
    applicants: list[Applicant] = Field(default_factory=list, max_length=1000)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    pool = await asyncpg.create_pool(os.environ["BARE_DATABASE_URL"], min_size=4, max_size=20)
    assert pool is not None
    async with pool.acquire() as conn:
        await conn.execute(CREATE)
    app.state.pool = pool
    yield
    await pool.close()


app = FastAPI(lifespan=lifespan)


@app.post("/bare", status_code=201)
async def create(body: BareAppeal) -> dict[str, Any]:
    row = await app.state.pool.fetchrow(
        "INSERT INTO bare_appeals (kind, form, channel, language, text, applicants) "
        "VALUES ($1, $2, $3, $4, $5, $6::jsonb) RETURNING id, created_at",
        body.kind,
        body.form,
        body.channel,
        body.language,
        body.text,
        json.dumps([a.model_dump(exclude_none=True) for a in body.applicants]),
    )
    return {"id": row["id"], "created_at": row["created_at"], **body.model_dump()}


@app.get("/bare/{item_id}")
async def read(item_id: int) -> dict[str, Any]:
    row = await app.state.pool.fetchrow("SELECT * FROM bare_appeals WHERE id = $1", item_id)
    if row is None:
        raise HTTPException(404)
    return {**dict(row), "applicants": json.loads(row["applicants"])}


@app.put("/bare/blobs", status_code=201)
async def put_blob(request: Request) -> dict[str, Any]:
    blob, seq, pending = uuid.uuid4(), 0, bytearray()
    async with app.state.pool.acquire() as conn, conn.transaction():
        async for piece in request.stream():
            pending += piece
            while len(pending) >= CHUNK:
                await conn.execute(
                    "INSERT INTO bare_chunks VALUES ($1, $2, $3)", blob, seq, bytes(pending[:CHUNK])
                )
                del pending[:CHUNK]
                seq += 1
        if pending:
            await conn.execute(
                "INSERT INTO bare_chunks VALUES ($1, $2, $3)", blob, seq, bytes(pending)
            )
    return {"id": str(blob)}


@app.get("/bare/blobs/{blob}")
async def get_blob(blob: uuid.UUID) -> StreamingResponse:
    async def rows() -> AsyncIterator[bytes]:
        async with app.state.pool.acquire() as conn:
            seq = 0
            while (
                data := await conn.fetchval(
                    "SELECT data FROM bare_chunks WHERE blob = $1 AND seq = $2", blob, seq
                )
            ) is not None:
                yield data
                seq += 1

    return StreamingResponse(rows(), media_type="application/octet-stream")
