"""DIRECTUM dispatch (R-4.2): an appeal dispatched to its units is POSTed to DIRECTUM and
retried, with backoff and without giving up, until a 2xx acknowledges it; how that goes is
shown on the appeal.

The dispatch row is made by the worker from the `appeal.dispatched` event in the outbox
(`feed.queue_dispatched`), once per resolution. The sender (the shared core, `outbound`) holds
the rows it claimed locked (FOR UPDATE SKIP LOCKED) until their attempt is recorded, so two
workers never send the same one at once; a worker that dies mid-way leaves the row as it was,
to be sent again: DIRECTUM dedupes by the `Idempotency-Key` header, the same for every attempt
of a dispatch. An appeal's dispatches go out one at a time, in the order it was routed.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Sequence
from datetime import datetime

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from appeals_api import outbound
from appeals_api.appeals.enums import DispatchStatus
from appeals_api.appeals.schemas import DirectumRead, DirectumResponseRead
from appeals_api.clock import Clock
from appeals_api.config import Settings
from appeals_api.directum import repository
from appeals_api.directum.models import DirectumDispatch

logger = logging.getLogger("appeals_api.directum")

BATCH = 20

LANE: outbound.Lane[DirectumDispatch] = outbound.Lane(
    logger=logger,
    statuses={
        outbound.Verdict.DELIVERED: DispatchStatus.DELIVERED.value,
        outbound.Verdict.RETRY: DispatchStatus.FAILED.value,
        outbound.Verdict.DEAD: DispatchStatus.FAILED.value,  # never: the policy never gives up
    },
    messages={
        outbound.Verdict.DELIVERED: "directum dispatch delivered",
        outbound.Verdict.RETRY: "directum dispatch failed",
        outbound.Verdict.DEAD: "directum dispatch failed",
    },
    log_fields=lambda d: {"dispatch_id": d.id, "appeal_id": str(d.appeal_id)},
)


def retry_policy(settings: Settings) -> outbound.RetryPolicy:
    """Backoff between attempts, and no last one: every dispatch must reach DIRECTUM."""
    return outbound.RetryPolicy(
        base=settings.directum_backoff_base_seconds,
        cap=settings.directum_backoff_max_seconds,
        max_attempts=None,
    )


async def status_of(
    session: AsyncSession, appeal_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, DirectumRead]:
    """The DIRECTUM status of each appeal that went there: two queries for any number of them.

    A dispatch whose event the worker has not taken from the outbox yet is pending, as it is
    once queued: the appeal shows it from the moment it is dispatched."""
    if not appeal_ids:
        return {}
    latest = await repository.latest_dispatches(session, appeal_ids)
    if not latest:
        return {}
    responses: dict[uuid.UUID, list[DirectumResponseRead]] = {}
    for cb in await repository.registered_responses(session, list(latest)):
        assert cb.registration_number is not None and cb.registration_date is not None
        responses.setdefault(cb.appeal_id, []).append(
            DirectumResponseRead(
                unit=cb.unit_code,
                registration_number=cb.registration_number,
                registration_date=cb.registration_date,
            )
        )
    return {
        appeal_id: _read(dispatched_at, d, responses.get(appeal_id, []))
        for appeal_id, (dispatched_at, d) in latest.items()
    }


def _read(
    dispatched_at: datetime | None,
    d: DirectumDispatch | None,
    responses: list[DirectumResponseRead],
) -> DirectumRead:
    if d is None:  # in the outbox: due at once, as a dispatch row is made
        return DirectumRead(
            status=DispatchStatus.PENDING,
            attempts=0,
            last_error=None,
            last_attempt_at=None,
            next_attempt_at=dispatched_at,
            delivered_at=None,
            responses=responses,
        )
    return DirectumRead(
        status=DispatchStatus(d.status),
        attempts=d.attempts,
        last_error=d.last_error,
        last_attempt_at=d.last_attempt_at,
        next_attempt_at=d.next_attempt_at,
        delivered_at=d.delivered_at,
        responses=responses,
    )


async def deliver_batch(
    session: AsyncSession, client: httpx.AsyncClient, settings: Settings, *, clock: Clock
) -> outbound.BatchResult:
    """Claim due dispatches, POST them to DIRECTUM, record each outcome."""
    url = settings.directum_url
    if url is None:
        return outbound.BatchResult()
    claimed = await repository.claim_due(session, now=clock(), batch=BATCH)

    async def send(dispatch: DirectumDispatch) -> outbound.Outcome:
        return await _send(client, settings, url, dispatch)

    return await outbound.deliver_batch(
        session,
        claimed=claimed,
        row=lambda d: d,
        send=send,
        lane=LANE,
        policy=retry_policy(settings),
        clock=clock,
    )


async def _send(
    client: httpx.AsyncClient, settings: Settings, url: str, dispatch: DirectumDispatch
) -> outbound.Outcome:
    headers = {
        "Content-Type": "application/json",
        "Idempotency-Key": f"appeals-dispatch-{dispatch.id}",
        "X-Appeals-Dispatch-Id": str(dispatch.id),
    }
    if settings.directum_token is not None:
        headers["Authorization"] = f"Bearer {settings.directum_token.get_secret_value()}"
    body = json.dumps({"dispatch_id": dispatch.id, **dispatch.payload}).encode()
    return await outbound.post(
        client, url, body=body, headers=headers, seconds=settings.directum_timeout_seconds
    )


async def backlog(session: AsyncSession) -> dict[str, int]:
    """Dispatches not yet acknowledged, by status (for operators)."""
    return await repository.backlog(session)
