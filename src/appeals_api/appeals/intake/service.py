"""Intake: register an appeal with its yearly number and deadlines; never refuse it (R-1.5).

One path for every appeal — plain, back-dated, related to an earlier one, a retry: a plan
counted in Python, then the one intake statement (`intake.repository`), whose outcome is
answered here. The statement writes nothing unless it registers, so a retry of the loop is
always safe.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg

from appeals_api.appeals.channels import check_form
from appeals_api.appeals.intake import batching, repository
from appeals_api.appeals.intake.plan import (
    Plan,
    Reception,
    plan_registration,
    reception,
    request_fingerprint,
)
from appeals_api.appeals.numbering import display_number
from appeals_api.appeals.relations import related_record
from appeals_api.appeals.schemas import AppealCreate, AppealCreated
from appeals_api.auth.roles import BACKDATERS, Principal, Role
from appeals_api.auth.service import UNKNOWN_KEY, admitted, principal_of
from appeals_api.calendar.service import CalendarCache
from appeals_api.config import Settings
from appeals_api.errors import (
    FieldError,
    Forbidden,
    IdempotencyKeyReused,
    ServiceUnavailable,
    Unauthorized,
    Unprocessable,
)
from appeals_api.topics import service as topics

# Each extra attempt follows something another transaction finished meanwhile (a decree
# override, or a first attempt with the same Idempotency-Key): one is almost always enough.
ATTEMPTS = 5
# The keys intake makes itself (`natural_key`); a client's own key is printable ASCII too, but
# one that began so would only ever meet its own retries.
NATURAL_KEY_PREFIX = "external-ref:"
_BACKDATERS = sorted(r.value for r in BACKDATERS)


@dataclass(frozen=True)
class Registered:
    body: dict[str, Any]
    replayed: bool
    principal: Principal


async def register(
    pool: asyncpg.Pool,
    settings: Settings,
    calendars: CalendarCache,
    *,
    data: AppealCreate,
    key_hash: str,
    allowed: frozenset[Role],
    now: datetime,
    idempotency_key: str | None,
    reception_id: uuid.UUID | None = None,
    person: Principal | None = None,
) -> Registered:
    """R-1, R-2.1, R-3.2–3.3, R-1.8: register once, answer every retry with the first answer.

    401 for a key not valid now, 403 for a role not admitted (or back-dating without the
    registrar's role), then 422 for a reception in the future: deny first, as every route.
    A form its channel does not admit is a bad body (R-1.1), refused like one, before the key;
    so is a topic the classifier does not know or has retired (R-13.1).
    `reception_id` links an oral appeal made at a reception to its record (R-11.2–11.3).
    `person`: the caller signed in through OIDC (their token verified), not with a key."""
    check_form(data.form, data.channel)
    await topics.check_codes_pool(pool, data.topics, field="topics")
    received = reception(data, now, settings)
    _check_learned_on(data, received, settings)
    related = await _related(pool, data, settings)
    fingerprint = request_fingerprint(data) if idempotency_key or data.external_ref else None
    if idempotency_key is None and data.external_ref and fingerprint:
        idempotency_key = natural_key(data.external_ref, fingerprint)
    caller = _caller(key_hash, allowed, received, person)
    for _ in range(ATTEMPTS):
        loaded = await calendars.get(pool, settings)
        plan = plan_registration(
            settings,
            data=data,
            received_at=received.at,
            calendar=loaded.calendar,
            related=related,
            now=now,
            reception_id=reception_id,
        )
        outcome = await batching.register(
            pool,
            repository.item(
                plan,
                caller=caller,
                calendar_version=loaded.version,
                idempotency_key=idempotency_key,
                request_hash=fingerprint,
                now=now,
            ),
        )
        principal = _admitted(outcome, allowed, received)
        if (done := _answered(outcome, plan, fingerprint, principal)) is not None:
            return done
        if outcome.calendar_version != loaded.version:
            await calendars.reload(pool, settings)  # a decree override came first
        # Otherwise a first attempt with this key was in flight: it has ended; look again.
    raise ServiceUnavailable("The appeal could not be registered now; nothing was kept.")


def natural_key(external_ref: str, fingerprint: str) -> str:
    """Issue 19: a key-less request that names its channel's own reference (`external_ref`)
    is keyed by that reference and its body, so a client without Idempotency-Keys that sends
    the same message again after a time-out is answered, not registered twice. The body is in
    the key: another message under a reused reference is a new appeal, never a 409."""
    digest = hashlib.sha256(f"{external_ref}\n{fingerprint}".encode())
    return NATURAL_KEY_PREFIX + digest.hexdigest()


def _answered(
    outcome: repository.Outcome, plan: Plan, fingerprint: str | None, principal: Principal
) -> Registered | None:
    """Registered now, or a retry of a registered request (R-1.8); None: try again."""
    if outcome.seq is not None:
        return Registered(answer(plan.body, outcome.seq), False, principal)
    if outcome.prior_response is None or outcome.prior_seq is None:
        return None
    if outcome.prior_hash != fingerprint:
        raise IdempotencyKeyReused("This Idempotency-Key was used with another request body.")
    return Registered(answer(outcome.prior_response, outcome.prior_seq), True, principal)


def _check_learned_on(data: AppealCreate, received: Reception, settings: Settings) -> None:
    """R-3.5 (§16): the applicant learned of the violation before filing, not after."""
    learned_on = data.violation_learned_on
    received_on = received.at.astimezone(settings.tz).date()
    if learned_on is not None and learned_on > received_on:
        message = f"is after the appeal was received ({received_on.isoformat()}) (§16, R-3.5)"
        raise Unprocessable(
            f"violation_learned_on {message}",
            [FieldError(field="violation_learned_on", message=message, type="rule")],
        )


def _caller(
    key_hash: str, allowed: frozenset[Role], received: Reception, person: Principal | None
) -> repository.Caller:
    return repository.Caller(
        key_hash=key_hash,
        person=person,
        roles=sorted(r.value for r in allowed),
        backdated=received.backdated,
        backdaters=_BACKDATERS,
        write=not received.future,
    )


def _admitted(
    outcome: repository.Outcome, allowed: frozenset[Role], received: Reception
) -> Principal:
    if outcome.id is None:
        raise Unauthorized(UNKNOWN_KEY)
    principal = principal_of(outcome)
    admitted(principal, allowed)
    if not outcome.admitted:
        raise Forbidden("Back-dating received_at needs the registrar role or higher.")
    if received.future:
        raise Unprocessable(
            "received_at is in the future",
            [FieldError(field="received_at", message="must not be in the future", type="future")],
        )
    return principal


async def _related(
    pool: asyncpg.Pool, data: AppealCreate, settings: Settings
) -> dict[str, Any] | None:
    """R-2.3: record the earlier appeal's number and date (it may predate this system)."""
    if data.related is None:
        return None
    ref = data.related
    earlier = await repository.find_earlier(
        pool, year=ref.year, seq=ref.number, tz=settings.timezone
    )
    return related_record(
        ref,
        earlier_id=earlier.id if earlier else None,
        received_on=earlier.received_on if earlier else None,
    )


def answer(stored: dict[str, Any], seq: int) -> dict[str, Any]:
    """The answer to intake: the plan's (or the stored) answer with its number."""
    body = {**stored, "seq": seq, "number": display_number(int(stored["year"]), seq)}
    return {name: body[name] for name in AppealCreated.model_fields if name in body}
