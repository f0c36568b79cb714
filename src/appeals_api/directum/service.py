"""DIRECTUM dispatch (R-4.2): an appeal dispatched to its units is POSTed to DIRECTUM and
retried, with backoff and without giving up, until a 2xx acknowledges it; how that goes is
shown on the appeal.

The dispatch row is written in the transaction of the `dispatch` action, so it exists if and
only if the dispatch does. The sender holds the rows it claimed locked (FOR UPDATE SKIP LOCKED)
until their attempt is recorded, so two workers never send the same one at once; a worker
that dies mid-way leaves the row as it was, to be sent again: DIRECTUM dedupes by the
`Idempotency-Key` header, the same for every attempt of a dispatch.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from appeals_api import outbound
from appeals_api.appeals.enums import DispatchStatus
from appeals_api.appeals.models import Appeal, Assignment, Resolution
from appeals_api.appeals.numbering import display_number
from appeals_api.appeals.schemas import DirectumRead, DirectumResponseRead
from appeals_api.clock import Clock
from appeals_api.config import Settings
from appeals_api.directum import repository
from appeals_api.directum.models import DirectumDispatch

logger = logging.getLogger("appeals_api.directum")

BATCH = 20
CHANNEL = "directum"


def channel(settings: Settings) -> str:
    """Where a dispatch goes: DIRECTUM when its URL is configured, else recorded as internal."""
    return CHANNEL if settings.directum_url else "internal"


async def enqueue(
    session: AsyncSession, *, appeal: Appeal, assignments: Sequence[Assignment], now: datetime
) -> None:
    """R-4.2: queue the appeal for DIRECTUM with what the units need, and no applicant data."""
    if not assignments:
        return
    resolution = await session.get(Resolution, assignments[0].resolution_id)
    assert resolution is not None  # an assignment belongs to its resolution
    units = [a.unit_code for a in sorted(assignments, key=lambda a: a.position)]
    payload = {
        "appeal_id": str(appeal.id),
        "number": display_number(appeal.year, appeal.seq),
        "year": appeal.year,
        "seq": appeal.seq,
        "kind": appeal.kind,
        "due_date": appeal.due_date.isoformat(),
        "units": units,
        "lead_unit": units[0],
        "resolution": {
            "id": resolution.id,
            "instruction": resolution.instruction,
            "signed_on": resolution.signed_on.isoformat(),
            "executors": resolution.executors,
        },
        "summary": appeal.summary,
        "dispatched_at": now.isoformat(),
    }
    await repository.insert_dispatch(
        session, appeal_id=appeal.id, resolution_id=resolution.id, payload=payload, now=now
    )


async def status_of(
    session: AsyncSession, appeal_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, DirectumRead]:
    """The DIRECTUM status of each appeal that went there: two queries for any number of them."""
    if not appeal_ids:
        return {}
    dispatches = await repository.latest_dispatches(session, appeal_ids)
    if not dispatches:
        return {}
    responses: dict[uuid.UUID, list[DirectumResponseRead]] = {}
    for cb in await repository.registered_responses(session, list(dispatches)):
        assert cb.registration_number is not None and cb.registration_date is not None
        responses.setdefault(cb.appeal_id, []).append(
            DirectumResponseRead(
                unit=cb.unit_code,
                registration_number=cb.registration_number,
                registration_date=cb.registration_date,
            )
        )
    return {
        appeal_id: DirectumRead(
            status=DispatchStatus(d.status),
            attempts=d.attempts,
            last_error=d.last_error,
            last_attempt_at=d.last_attempt_at,
            next_attempt_at=d.next_attempt_at,
            delivered_at=d.delivered_at,
            responses=responses.get(appeal_id, []),
        )
        for appeal_id, d in dispatches.items()
    }


@dataclass(frozen=True)
class BatchResult:
    attempted: int
    delivered: int


async def deliver_batch(
    session: AsyncSession, client: httpx.AsyncClient, settings: Settings, *, clock: Clock
) -> BatchResult:
    """Claim due dispatches, POST them to DIRECTUM, record each outcome."""
    url = settings.directum_url
    if url is None:
        return BatchResult(attempted=0, delivered=0)
    claimed = await repository.claim_due(session, now=clock(), batch=BATCH)
    if not claimed:
        return BatchResult(attempted=0, delivered=0)
    outcomes = await asyncio.gather(*(_send(client, settings, url, d) for d in claimed))
    now = clock()
    for dispatch, outcome in zip(claimed, outcomes, strict=True):
        _record(dispatch, outcome, settings, now)
    await session.flush()
    return BatchResult(attempted=len(claimed), delivered=sum(o.ok for o in outcomes))


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


def _record(
    dispatch: DirectumDispatch, outcome: outbound.Outcome, settings: Settings, now: datetime
) -> None:
    dispatch.attempts += 1
    dispatch.last_attempt_at = now
    dispatch.last_status_code = outcome.status_code
    log = {
        "dispatch_id": dispatch.id,
        "appeal_id": str(dispatch.appeal_id),
        "attempt": dispatch.attempts,
        "status_code": outcome.status_code,
    }
    if outcome.ok:
        dispatch.status = DispatchStatus.DELIVERED.value
        dispatch.delivered_at = now
        dispatch.next_attempt_at = None
        logger.info("directum dispatch delivered", extra=log)
        return
    wait = outbound.backoff(
        dispatch.attempts,
        base=settings.directum_backoff_base_seconds,
        cap=settings.directum_backoff_max_seconds,
    )
    dispatch.status = DispatchStatus.FAILED.value
    dispatch.last_error = outcome.error
    dispatch.next_attempt_at = now + wait
    logger.warning(
        "directum dispatch failed",
        extra={**log, "error": outcome.error, "retry_in_seconds": wait.total_seconds()},
    )


async def backlog(session: AsyncSession) -> dict[str, int]:
    """Dispatches not yet acknowledged, by status (for operators)."""
    return await repository.backlog(session)
