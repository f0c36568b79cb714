"""The FastAPI application: create_app() wires settings, database, routers, error handling."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import cast

from fastapi import Depends, FastAPI
from redis.asyncio import Redis

from appeals_api import apidocs, health
from appeals_api.appeals import deadlines
from appeals_api.appeals.card.router import router as card_router
from appeals_api.appeals.corrections.router import router as corrections_router
from appeals_api.appeals.intake.router import router as intake_router
from appeals_api.appeals.letters.router import router as letters_router
from appeals_api.appeals.lifecycle.router import router as actions_router
from appeals_api.appeals.privacy.router import router as privacy_router
from appeals_api.appeals.public.router import router as status_page_router
from appeals_api.appeals.reading.router import public_router
from appeals_api.appeals.reading.router import router as appeals_router
from appeals_api.appeals.similar.router import router as similar_router
from appeals_api.audit.router import router as audit_router
from appeals_api.auth import oidc
from appeals_api.auth.dependencies import check_key_before_validation
from appeals_api.auth.router import router as links_router
from appeals_api.calendar.router import router as calendar_router
from appeals_api.calendar.service import CalendarCache
from appeals_api.clock import Clock, system_clock
from appeals_api.config import Settings, get_settings
from appeals_api.control.router import router as control_router
from appeals_api.db import make_engine, make_pool, make_sessionmaker
from appeals_api.directum import service as directum_service
from appeals_api.directum.router import router as directum_router
from appeals_api.documents.router import router as documents_router
from appeals_api.documents.upload import FRAMING_BYTES, UPLOAD_PATH
from appeals_api.errors import install_error_handlers
from appeals_api.events.router import router as events_router
from appeals_api.events.webhook_router import router as webhooks_router
from appeals_api.labels.router import router as labels_router
from appeals_api.middleware import BodyLimitMiddleware, ObservabilityMiddleware, TimeoutMiddleware
from appeals_api.notices.router import router as notices_router
from appeals_api.ops import redact
from appeals_api.ops.metrics import HttpMetrics, make_registry
from appeals_api.ops.metrics_router import router as metrics_router
from appeals_api.ops.router import router as worker_router
from appeals_api.query_params import refuse_unknown_query
from appeals_api.ratelimit import RateLimiter
from appeals_api.receptions.public_router import router as public_receptions_router
from appeals_api.receptions.router import router as receptions_router
from appeals_api.replica.sessions import Replica
from appeals_api.state import AppState
from appeals_api.stats.reports_router import router as reports_router
from appeals_api.stats.router import public_router as public_stats_router
from appeals_api.stats.router import router as stats_router
from appeals_api.topics.router import router as topics_router
from appeals_api.units.router import router as units_router

DESCRIPTION = (
    "Appeals of individuals and legal entities to JSC Almalyk MMC: intake, registration "
    "numbering, legal deadlines on the Uzbek working-day calendar, tracking. "
    "Authentication: `Authorization: Bearer <api key>`, or `Bearer <JWT>` for people signed in "
    "through the company's OpenID Connect provider. Errors: RFC 9457 problem details."
)


ROUTERS = (
    health.router,
    intake_router,
    appeals_router,
    similar_router,
    actions_router,
    card_router,
    letters_router,
    corrections_router,
    privacy_router,
    public_router,
    status_page_router,
    calendar_router,
    units_router,
    topics_router,
    control_router,
    events_router,
    stats_router,
    reports_router,
    public_stats_router,
    webhooks_router,
    directum_router,
    worker_router,
    audit_router,
    documents_router,
    links_router,
    # Receptions: the schedule, personal receptions, mass reception protocols.
    receptions_router,
    public_receptions_router,
    # the applicant's notices by e-mail and SMS, as delivered.
    notices_router,
    # API.md: every code's label in the four languages.
    labels_router,
)


@asynccontextmanager
async def _serving(app: FastAPI) -> AsyncIterator[None]:
    """Connections and caches for as long as the app serves."""
    state = cast(AppState, app.state)
    settings = state.settings
    state.engine = make_engine(settings, serving=True)
    state.sessionmaker = make_sessionmaker(state.engine)
    state.autocommit_sessionmaker = make_sessionmaker(state.engine, autocommit=True)
    state.pool = await make_pool(settings, serving=True)
    state.replica = Replica.of(settings)
    state.calendars = CalendarCache()
    # What start-up made (modules, routes, schemas, pools) lives as long as the process:
    # out of the collector's sight, full collections no longer walk it on every request
    # burst (they showed as latency spikes under load).
    if settings.gc_freeze:
        gc.collect()
        gc.freeze()
    redis = Redis.from_url(settings.redis_url, socket_timeout=0.25, socket_connect_timeout=0.25)
    state.limiter = RateLimiter(redis)
    try:
        yield
    finally:
        await state.pool.close()
        await state.engine.dispose()
        if state.replica is not None:
            await state.replica.engine.dispose()
        await redis.aclose()


def create_app(settings: Settings | None = None, clock: Clock | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = FastAPI(
        title="appeals-api",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=_serving,
        docs_url=None,  # `apidocs`: the pages with the assets the package ships, offline
        redoc_url=None,
        # API.md: a query parameter a route does not know is refused (422) on every route.
        dependencies=[Depends(refuse_unknown_query)],
    )
    app.state = state = AppState()
    state.settings = settings
    state.clock = clock or system_clock
    # The domains' joints, wired here so that neither side imports the other (ARCHITECTURE.md):
    # a decree override recomputes the appeals' deadlines; a read shows the DIRECTUM status.
    state.on_calendar_change = deadlines.on_calendar_change
    state.dispatch_status = directum_service.status_of
    state.oidc_keys = oidc.KeySet.of(settings) if settings.oidc_enabled else None
    redact.install()
    install_error_handlers(app, before_validation=check_key_before_validation)
    for router in ROUTERS:
        app.include_router(router)
    apidocs.install(app)
    if settings.metrics_enabled:
        app.include_router(metrics_router)
    # Each app counts its own requests (tests make many apps in one process).
    state.metrics = HttpMetrics()
    state.metrics_registry = make_registry(state.metrics)
    # The JSON limit bounds every body but a document's upload, bounded by the file limit.
    upload_limit = ("POST", UPLOAD_PATH, settings.max_document_bytes + FRAMING_BYTES)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes, own=[upload_limit])
    app.add_middleware(
        TimeoutMiddleware,
        seconds=settings.request_timeout_seconds,
        grace=settings.request_grace_seconds,
    )
    # Added last, so outermost: it sees (and stamps its id on) the 413 and 503 answers too.
    app.add_middleware(ObservabilityMiddleware, metrics=state.metrics)
    return app
