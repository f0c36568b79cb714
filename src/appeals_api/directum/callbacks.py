"""DIRECTUM's callbacks (R-4.2): a unit accepted the appeal, or registered its response letter.

Idempotent by callback id: the id is claimed in the transaction that applies the callback, and
a retry answers what the first one answered without changing anything. Order does not matter:
each kind is recorded on its own, so a `response_registered` that overtakes `accepted` is kept,
and the `accepted` that follows still records the acceptance.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from appeals_api.appeals import journal
from appeals_api.appeals import repository as appeals_repository
from appeals_api.appeals.access import NO_SUCH_APPEAL
from appeals_api.appeals.lifecycle import repository as lifecycle_repository
from appeals_api.appeals.lifecycle import service as lifecycle
from appeals_api.appeals.lifecycle.schemas import ActionBody
from appeals_api.auth.roles import Principal, Role
from appeals_api.config import Settings
from appeals_api.directum import repository
from appeals_api.directum.models import CallbackKind, CallbackOutcome, DirectumCallback
from appeals_api.directum.schemas import CallbackCreate, CallbackResult
from appeals_api.errors import ActionNotAllowed, Conflict, Forbidden, NotFound, Unprocessable


def fingerprint(data: CallbackCreate) -> str:
    canonical = json.dumps(data.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


async def _appeal_id(session: AsyncSession, data: CallbackCreate) -> uuid.UUID:
    if data.appeal_id is not None:
        appeal = await appeals_repository.get(session, data.appeal_id)
    else:
        assert data.year is not None and data.number is not None  # the schema checked it
        appeal = await appeals_repository.find_by_number(session, year=data.year, seq=data.number)
    if appeal is None:
        raise NotFound(NO_SUCH_APPEAL)
    return appeal.id


async def receive(
    session: AsyncSession,
    settings: Settings,
    *,
    data: CallbackCreate,
    principal: Principal,
    now: datetime,
) -> CallbackResult:
    """R-4.2: apply a DIRECTUM callback once; a retry with the same id answers the same."""
    appeal_id = await _appeal_id(session, data)
    units = {a.unit_code for a in await lifecycle_repository.assignments_of(session, appeal_id)}
    if data.unit not in units:
        raise Unprocessable(f"The appeal was never routed to unit {data.unit!r}.")
    request_hash = fingerprint(data)
    claimed = await repository.claim_callback(
        session,
        {
            "callback_id": data.callback_id,
            "request_hash": request_hash,
            "appeal_id": appeal_id,
            "unit_code": data.unit,
            "kind": data.kind.value,
            "registration_number": data.registration_number,
            "registration_date": data.registration_date,
            "occurred_at": data.occurred_at,
            "outcome": CallbackOutcome.NOT_APPLIED.value,
            "received_at": now,
            "received_by": principal.label,
        },
    )
    callback = await repository.get_callback(session, data.callback_id)
    assert callback is not None  # claimed now, or committed by the first delivery of it
    if not claimed:
        if callback.request_hash != request_hash:
            raise Conflict("This callback_id was used with another body.")
        return _result(callback)
    if data.kind is CallbackKind.ACCEPTED:
        outcome, detail = await _accepted(session, settings, data, appeal_id, principal, now)
    else:
        outcome, detail = await _response_registered(
            session, settings, data, appeal_id, principal, now
        )
    callback.outcome, callback.detail = outcome.value, detail
    await session.flush()
    return _result(callback)


async def _accepted(
    session: AsyncSession,
    settings: Settings,
    data: CallbackCreate,
    appeal_id: uuid.UUID,
    principal: Principal,
    now: datetime,
) -> tuple[CallbackOutcome, str | None]:
    """The unit's acceptance, taken exactly as the unit's own `accept` action would take it."""
    appeal = await appeals_repository.get_for_update(session, appeal_id)
    assert appeal is not None
    mine = next(
        (
            a
            for a in await lifecycle_repository.current_assignments(session, appeal_id)
            if a.unit_code == data.unit
        ),
        None,
    )
    if mine is not None and mine.accepted_at is not None:
        return CallbackOutcome.ALREADY_RECORDED, f"accepted at {mine.accepted_at.isoformat()}"
    # The unit acts through DIRECTUM: an executor of that unit, named after the DIRECTUM key.
    unit_actor = Principal(
        id=principal.id,
        name=f"{principal.name[:120]} for {data.unit}",  # fits the 200-character actor columns
        role=Role.EXECUTOR,
        unit_code=data.unit,
    )
    try:
        await lifecycle.perform(
            session,
            settings,
            appeal_id=appeal_id,
            name="accept",
            body=ActionBody(note=f"DIRECTUM callback {data.callback_id}"),
            principal=unit_actor,
            now=now,
            if_match=None,
        )
    except (ActionNotAllowed, Forbidden, NotFound) as refused:
        # Re-routed or moved on meanwhile: kept, and the reason answered, but DIRECTUM need
        # not retry a report the appeal can no longer take.
        return CallbackOutcome.NOT_APPLIED, refused.detail
    return CallbackOutcome.APPLIED, None


async def _response_registered(
    session: AsyncSession,
    settings: Settings,
    data: CallbackCreate,
    appeal_id: uuid.UUID,
    principal: Principal,
    now: datetime,
) -> tuple[CallbackOutcome, str | None]:
    """The unit's response letter registered in DIRECTUM: kept, in the history, in the feed."""
    appeal = await appeals_repository.get_for_update(session, appeal_id)
    assert appeal is not None and data.registration_date is not None
    registration = {
        "unit": data.unit,
        "registration_number": data.registration_number,
        "registration_date": data.registration_date.isoformat(),
    }
    await journal.record(
        session,
        appeal,
        actor=journal.Actor.of(principal),
        action="directum_response_registered",
        at=now,
        changes={f"directum.responses.{data.unit}": [None, registration]},
        note=f"DIRECTUM callback {data.callback_id}",
        events=[("appeal.updated", {"action": "directum_response_registered", **registration})],
    )
    return CallbackOutcome.RECORDED, None


def _result(callback: DirectumCallback) -> CallbackResult:
    return CallbackResult(
        callback_id=callback.callback_id,
        appeal_id=callback.appeal_id,
        unit=callback.unit_code,
        kind=CallbackKind(callback.kind),
        outcome=CallbackOutcome(callback.outcome),
        detail=callback.detail,
        received_at=callback.received_at,
    )
