"""Liveness and readiness (issue 18).

/readyz answers 200 `ready`, with `readiness: ok` when PostgreSQL, Redis and a worker's
heartbeat are fine and `degraded` when only Redis or the worker is not (intake needs neither:
a load balancer keeps sending appeals, the rate limits go unenforced and the worker catches up
from PostgreSQL once back); 503, the `not_ready` problem (`readiness: down`), when PostgreSQL
cannot be reached, since nothing works without it.
"""

from __future__ import annotations

import asyncio
import time
from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy.exc import SQLAlchemyError

from appeals_api.errors import problem_response, problem_responses
from appeals_api.ops import repository
from appeals_api.state import state_of

router = APIRouter(tags=["health"])

PROBE_TIMEOUT_SECONDS = 2.0


class Check(BaseModel):
    status: Literal["ok", "down", "stale", "absent", "unknown"]
    latency_ms: float | None = Field(default=None, description="How long the probe took.")
    age_seconds: float | None = Field(
        default=None, description="The worker's last heartbeat's age."
    )
    stale_after_seconds: int | None = None
    error: str | None = Field(default=None, description="Why a probe failed (its error's type).")


class Readiness(BaseModel):
    """`status` stays `ready` (API.md: what integrators check); `readiness` says more: `ok`,
    all checks pass; `degraded`, Redis down or the worker's heartbeat stale or absent (intake
    still works). PostgreSQL unreachable is 503, the `not_ready` problem as before, with
    `readiness: down` and the checks as its extension members."""

    status: Literal["ready"] = "ready"
    readiness: Literal["ok", "degraded"]
    checks: dict[str, Check]


@router.get("/healthz", summary="Liveness: the process answers")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)


async def _postgres(request: Request) -> tuple[Check, datetime | None]:
    started = time.perf_counter()
    try:
        async with asyncio.timeout(PROBE_TIMEOUT_SECONDS):
            async with state_of(request).engine.connect() as conn:
                await repository.select_one(conn)
                latency = _ms(started)
                beat = await repository.last_heartbeat(conn)
    except (SQLAlchemyError, OSError, TimeoutError) as exc:
        return Check(status="down", latency_ms=_ms(started), error=type(exc).__name__), None
    return Check(status="ok", latency_ms=latency), beat


async def _redis(request: Request) -> Check:
    settings = state_of(request).settings
    started = time.perf_counter()
    client = Redis.from_url(settings.redis_url, socket_timeout=0.5, socket_connect_timeout=0.5)
    try:
        async with asyncio.timeout(PROBE_TIMEOUT_SECONDS):
            await client.ping()
    except (RedisError, OSError, TimeoutError) as exc:
        return Check(status="down", latency_ms=_ms(started), error=type(exc).__name__)
    finally:
        await client.aclose()
    return Check(status="ok", latency_ms=_ms(started))


def _worker(request: Request, database: Check, beat: datetime | None) -> Check:
    stale_after = state_of(request).settings.worker_stale_after_seconds
    if database.status != "ok":
        return Check(status="unknown", stale_after_seconds=stale_after)
    if beat is None:
        return Check(status="absent", stale_after_seconds=stale_after)
    age = round((state_of(request).clock() - beat).total_seconds(), 1)
    status: Literal["ok", "stale"] = "ok" if age <= stale_after else "stale"
    return Check(status=status, age_seconds=age, stale_after_seconds=stale_after)


@router.get(
    "/readyz",
    summary="Readiness: PostgreSQL, Redis and the worker's heartbeat",
    response_model=Readiness,
    responses=problem_responses(503),
)
async def readyz(request: Request) -> JSONResponse:
    (database, beat), redis = await asyncio.gather(_postgres(request), _redis(request))
    checks = {"postgres": database, "redis": redis, "worker": _worker(request, database, beat)}
    if database.status != "ok":
        return problem_response(
            503, "not_ready", "Not ready", f"database unreachable: {database.error}",
            readiness="down",
            checks={name: c.model_dump(exclude_none=True) for name, c in checks.items()},
        )  # fmt: skip
    degraded = any(check.status != "ok" for check in checks.values())
    body = Readiness(readiness="degraded" if degraded else "ok", checks=checks)
    return JSONResponse(body.model_dump(exclude_none=True))
