"""GET /metrics for Prometheus (issue 7).

Who may read it: no API key, as scrapers on the internal network expect; the numbers are counts
by route template and backlog sizes, never an applicant's data. An operator turns it off with
APPEALS_METRICS_ENABLED=false (the route is then not mounted) or restricts it with
APPEALS_METRICS_TOKEN (a scrape then sends `Authorization: Bearer <token>`); a reverse proxy in
front of the API should not pass /metrics from the outside either way.
"""

from __future__ import annotations

import asyncio
import hmac
import logging

from fastapi import APIRouter, Request, Response
from prometheus_client.exposition import choose_encoder
from prometheus_client.registry import CollectorRegistry
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from appeals_api.config import Settings
from appeals_api.deps import SettingsDep
from appeals_api.errors import Unauthorized, problem_responses
from appeals_api.ops import service
from appeals_api.ops.metrics import DatabaseGauges, Scrape
from appeals_api.state import state_of

logger = logging.getLogger("appeals_api.metrics")

router = APIRouter(tags=["operations"])


@router.get(
    "/metrics",
    response_class=Response,
    responses={
        200: {
            "description": "Prometheus text exposition format (OpenMetrics on request).",
            "content": {
                "text/plain": {"schema": {"type": "string"}},
                "application/openmetrics-text": {"schema": {"type": "string"}},
            },
        },
        **problem_responses(401),
    },
    summary="Metrics for Prometheus: requests, latency, intake, backlog, overdue deadlines",
)
async def metrics(request: Request, settings: SettingsDep) -> Response:
    """Request counts and latency by route template, appeals registered, and the backlog and
    overdue gauges read from PostgreSQL now (`appeals_metrics_database_up` says if they were).
    No API key; an operator may require a scrape token or turn the route off (Settings)."""
    _check_token(request, settings)
    gauges = await _read_gauges(request, settings)
    encode, content_type = choose_encoder(request.headers.get("accept", ""))
    registry: CollectorRegistry = state_of(request).metrics_registry
    return Response(encode(Scrape(registry, gauges)), media_type=content_type)


def _check_token(request: Request, settings: Settings) -> None:
    if settings.metrics_token is None:
        return
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    expected = settings.metrics_token.get_secret_value().encode()
    if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip().encode(), expected):
        raise Unauthorized("A scrape token is required: Authorization: Bearer <token>.")


async def _read_gauges(request: Request, settings: Settings) -> DatabaseGauges | None:
    """Bounded twice: the server cancels a statement after the time-out, and the whole read
    (waiting for a pooled connection included) gives up after it. A failure is a 0 in
    `appeals_metrics_database_up`, never a failed scrape: the process' own metrics still count."""
    seconds = settings.metrics_db_timeout_seconds
    try:
        async with asyncio.timeout(seconds):
            async with state_of(request).sessionmaker() as session, session.begin():
                await session.execute(
                    select(func.set_config("statement_timeout", f"{int(seconds * 1000)}", True))
                )
                return await service.database_gauges(
                    session, settings, now=state_of(request).clock()
                )
    except (SQLAlchemyError, OSError, TimeoutError) as exc:
        logger.warning("metrics: database gauges not read", extra={"error": type(exc).__name__})
        return None
