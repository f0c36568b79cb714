from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from appeals_api.errors import problem_response, problem_responses
from appeals_api.state import state_of

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="Liveness: the process answers")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/readyz", summary="Readiness: the database is reachable", responses=problem_responses(503)
)
async def readyz(request: Request) -> JSONResponse:
    try:
        async with state_of(request).engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
    except (SQLAlchemyError, OSError) as exc:
        return problem_response(
            503, "not_ready", "Not ready", f"database unreachable: {type(exc).__name__}"
        )
    return JSONResponse({"status": "ready"})
