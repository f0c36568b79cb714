"""Intake and registration (R-1, R-2, R-3.2–3.3), reading, and the applicant's status lookup."""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from types import SimpleNamespace
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from appeals_api.appeals import repository
from appeals_api.appeals.enums import Form, Kind, Status
from appeals_api.appeals.models import Appeal, AppealDeadline, AppealHistory
from appeals_api.appeals.numbering import display_number
from appeals_api.appeals.privacy import service as privacy
from appeals_api.appeals.schemas import (
    AppealCreate,
    AppealCreated,
    AppealRead,
    PublicDeadline,
    PublicStatus,
)
from appeals_api.auth.roles import BACKDATERS, Principal, Role
from appeals_api.calendar import service as calendar_service
from appeals_api.calendar.rules import RULES, compute_due, get_rule, start_date
from appeals_api.calendar.workdays import WorkCalendar
from appeals_api.config import Settings
from appeals_api.directum import service as directum_service
from appeals_api.directum.schemas import DirectumRead
from appeals_api.errors import FieldError, Forbidden, IdempotencyKeyReused, NotFound, Unprocessable

TRACKING_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read over the phone
TRACKING_LENGTH = 12


@dataclass(frozen=True)
class Registered:
    body: dict[str, Any]
    replayed: bool


def request_fingerprint(data: AppealCreate) -> str:
    """The body's meaning, not its bytes: its fields in the model's order with the values as
    validated, so a retry that orders or spaces its keys differently is the same request."""
    return hashlib.sha256(data.model_dump_json().encode()).hexdigest()


def _fingerprint_before_issue_7(data: AppealCreate) -> str:
    """How fingerprints were taken until 2026-11-22 (sorted keys through the json module).
    Kept while answers stored then may still be retried (24 hours): then it can go."""
    canonical = json.dumps(data.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def tracking_code() -> str:
    """Uniform over the alphabet: 256 is a multiple of its 32 letters."""
    return "".join(TRACKING_ALPHABET[b % 32] for b in secrets.token_bytes(TRACKING_LENGTH))


def _hash_tracking_code(appeal_id: uuid.UUID, code: str) -> str:
    return hashlib.sha256(f"{appeal_id}:{code}".encode()).hexdigest()


def answer_rule_for(kind: Kind) -> str:
    """R-3.3: a proposal is answered in a month (§37), an application or complaint in 15 days."""
    return "proposal_answer" if kind is Kind.PROPOSAL else "answer"


def registration_deadlines(
    *, received_on: date, registered_on: date, kind: Kind, calendar: WorkCalendar
) -> list[dict[str, Any]]:
    """The stage deadlines set at registration (R-3.3), counted from the start date (R-3.2)."""
    return [
        {"rule": rule, "start_on": registered_on, "due_on": due, "original_due_on": due}
        for rule, due in _registration_dues(registered_on, answer_rule_for(kind), calendar)
    ]


@functools.lru_cache(maxsize=256)
def _registration_dues(
    registered_on: date, answer_rule: str, calendar: WorkCalendar
) -> tuple[tuple[str, date], ...]:
    """Keyed by the calendar itself (equal calendars are equal keys): a burst of intake on one
    day counts its deadlines once, and a changed calendar is a new key."""
    return tuple(
        (rule, compute_due(get_rule(rule), registered_on, calendar))
        for rule in ("registration", answer_rule)
    )


def _check_received_at(
    data: AppealCreate, principal: Principal, now: datetime, s: Settings
) -> datetime:
    plain = plain_received_at(data, now, s)
    if plain is not None:
        return plain
    assert data.received_at is not None
    if data.received_at > now:
        raise Unprocessable(
            "received_at is in the future",
            [FieldError(field="received_at", message="must not be in the future", type="future")],
        )
    if principal.role not in BACKDATERS:
        raise Forbidden("Back-dating received_at needs the registrar role or higher.")
    return data.received_at


@dataclass(frozen=True)
class Plan:
    """An appeal ready to insert: every column but its number and creator, its stage deadlines,
    its answer (without the number) and its event (R-2.1, R-3.2–3.3)."""

    values: dict[str, Any]
    deadlines: list[dict[str, Any]]
    body: dict[str, Any]
    event_data: dict[str, Any]


REGISTERED_CHANGES = {"status": [None, Status.REGISTERED.value]}
# The columns of a new appeal that intake leaves empty (its number comes from the statement).
_UNSET_AT_REGISTRATION: dict[str, Any] = dict.fromkeys(
    (
        "completed_on",
        "outcome",
        "disposal",
        "joined_to",
        "control_removed_at",
        "control_removed_by",
    ),
    None,
) | {"seq": 0}


def plan_registration(
    settings: Settings,
    *,
    data: AppealCreate,
    received_at: datetime,
    calendar: WorkCalendar,
    related: dict[str, Any] | None,
    now: datetime,
) -> Plan:
    tz = settings.tz
    registered_on = start_date(
        received_at,
        electronic=data.form is Form.ELECTRONIC,
        calendar=calendar,
        tz=tz,
        work_end=settings.work_end,
    )
    received_on = received_at.astimezone(tz).date()
    year = received_on.year
    deadlines = registration_deadlines(
        received_on=received_on, registered_on=registered_on, kind=data.kind, calendar=calendar
    )
    answer_rule = answer_rule_for(data.kind)
    due_date = next(d["due_on"] for d in deadlines if d["rule"] == answer_rule)
    appeal_id = uuid.uuid4()
    code = tracking_code()
    applicants = [a.model_dump(mode="json", exclude_none=True) for a in data.applicants]
    values: dict[str, Any] = {
        "id": appeal_id,
        "year": year,
        "kind": data.kind.value,
        "form": data.form.value,
        "channel": data.channel.value,
        "language": data.language,
        "status": Status.REGISTERED.value,
        "received_at": received_at,
        "registered_on": registered_on,
        "answer_rule": answer_rule,
        "due_date": due_date,
        "text": data.text,
        "summary": data.summary,
        "addressee": data.addressee,
        "applicants": applicants,
        "respond_to": data.respond_to,
        "representative": (
            data.representative.model_dump(mode="json", exclude_none=True)
            if data.representative
            else None
        ),
        "needs_anonymity_check": not any(a.identified() for a in data.applicants),
        "needs_authority_check": bool(
            data.representative and not data.representative.authority_documents
        ),
        "confidential": data.confidential,
        "control": data.control.model_dump(mode="json", exclude_none=True),
        "related": related,
        "external_ref": data.external_ref,
        "paper": data.paper.model_dump(mode="json", exclude_none=True) if data.paper else None,
        "units": [],
        "tracking_code_hash": _hash_tracking_code(appeal_id, code),
        "created_at": now,
        "updated_at": now,
        "version": 1,
    }
    preview = Row(**values, **_UNSET_AT_REGISTRATION)
    deadline_rows = [Row(done_on=None, fixed=False, cancelled=False, **d) for d in deadlines]
    # The answer as `AppealCreated` would give it, without validating what was just validated:
    # the nested models are dumped whole (every field, null included), as a read shows them.
    body = read_fields(preview, deadline_rows, today=now.astimezone(tz).date(), tz=tz)
    body |= {
        "applicants": [a.model_dump(mode="json") for a in data.applicants],
        "representative": data.representative.model_dump(mode="json")
        if data.representative
        else None,
        "control": data.control.model_dump(mode="json"),
        "paper": data.paper.model_dump(mode="json") if data.paper else None,
        "tracking_code": code,
    }
    del body["seq"], body["number"]
    event_data = {
        "year": year,
        "kind": data.kind.value,
        "form": data.form.value,
        "channel": data.channel.value,
        "registered_on": registered_on.isoformat(),
        "due_date": due_date.isoformat(),
    }
    return Plan(values=values, deadlines=deadlines, body=body, event_data=event_data)


def plain_received_at(data: AppealCreate, now: datetime, s: Settings) -> datetime | None:
    """The reception time when it needs no role to accept (not back-dated, not in the future),
    else None: the general path judges it."""
    if data.received_at is None:
        return now
    tolerance = timedelta(seconds=s.backdate_tolerance_seconds)
    if now - tolerance <= data.received_at <= now + tolerance:
        return data.received_at
    return None


async def register(
    session: AsyncSession,
    settings: Settings,
    *,
    data: AppealCreate,
    principal: Principal,
    now: datetime,
    idempotency_key: str | None,
    calendars: calendar_service.CalendarCache | None = None,
) -> Registered:
    """Register an appeal with its yearly number and deadlines; never refuse it (R-1.5, R-2.1).

    The general path, in the request's transaction: `fastpath.register` does the usual case in
    one statement and comes here for everything else (a retry, a back-dated or related appeal,
    a calendar that changed, a key to reject)."""
    received_at = _check_received_at(data, principal, now, settings)
    fingerprint = request_fingerprint(data)
    if idempotency_key is not None:
        prior = await repository.claim_idempotency_key(
            session,
            principal_id=principal.id,
            key=idempotency_key,
            request_hash=fingerprint,
            now=now,
        )
        if prior is not None:
            if prior.request_hash not in (fingerprint, _fingerprint_before_issue_7(data)):
                raise IdempotencyKeyReused(
                    "This Idempotency-Key was used with another request body."
                )
            assert prior.response is not None  # written in the same transaction as the claim
            return Registered(body=await _replay(session, prior.response), replayed=True)

    loaded = await calendar_service.load_versioned(session, settings, lock=True)
    if calendars is not None:
        calendars.remember(loaded)
    plan = plan_registration(
        settings,
        data=data,
        received_at=received_at,
        calendar=loaded.calendar,
        related=await _resolve_related(session, data, settings.tz),
        now=now,
    )
    seq = await repository.insert_numbered(
        session,
        values={**plan.values, "created_by": principal.id},
        deadlines=plan.deadlines,
        history={
            "at": now,
            "actor_id": principal.id,
            "actor_name": principal.name,
            "actor_role": principal.role.value,
            "action": "registered",
            "changes": REGISTERED_CHANGES,
        },
        event={"type": "appeal.registered", "at": now, "data": plan.event_data},
        idempotency=(principal.id, idempotency_key, plan.body) if idempotency_key else None,
    )
    return Registered(body=answer({**plan.body, "seq": seq}), replayed=False)


def answer(stored: dict[str, Any]) -> dict[str, Any]:
    """The answer to intake, with its display number rebuilt from (year, seq)."""
    body = dict(stored)
    body["number"] = display_number(int(body["year"]), int(body["seq"]))
    return {name: body[name] for name in AppealCreated.model_fields if name in body}


async def _replay(session: AsyncSession, stored: dict[str, Any]) -> dict[str, Any]:
    """The stored first answer. The single-statement intake stores it before its number is
    taken (the claim comes first), so the number is read from the appeal then."""
    if "seq" not in stored:
        appeal = await repository.get(session, uuid.UUID(stored["id"]))
        assert appeal is not None  # committed with the claim
        stored = {**stored, "seq": appeal.seq}
    return answer(stored)


async def _resolve_related(
    session: AsyncSession, data: AppealCreate, tz: Any
) -> dict[str, Any] | None:
    """R-2.3: record the earlier appeal's number and date (it may predate this system)."""
    if data.related is None:
        return None
    ref = data.related
    earlier = await repository.find_by_number(session, year=ref.year, seq=ref.number)
    return {
        "relation": ref.relation.value,
        "year": ref.year,
        "number": ref.number,
        "display": display_number(ref.year, ref.number),
        "appeal_id": str(earlier.id) if earlier else None,
        "received_on": earlier.received_at.astimezone(tz).date().isoformat() if earlier else None,
    }


# A plain row of an appeal's (or a deadline's) columns, read like the model: the hot paths build
# answers from statement rows and plans without the ORM's per-instance bookkeeping.
Row = SimpleNamespace


def is_overdue(appeal: Appeal | Row, today: date) -> bool:
    """Past the answer deadline without an answer, or answered after it (R-6.3)."""
    if appeal.completed_on is not None:
        return appeal.completed_on > appeal.due_date
    return today > appeal.due_date


def to_read(
    appeal: Appeal | Row,
    deadlines: Sequence[AppealDeadline | Row],
    *,
    today: date,
    tz: Any,
    directum: DirectumRead | None = None,
    personal: bool = True,
) -> AppealRead:
    """The appeal as returned; `personal=False` masks the applicants' identity (R-8.2)."""
    return AppealRead.model_validate(
        read_fields(appeal, deadlines, today=today, tz=tz, directum=directum, personal=personal)
    )


def read_fields(
    appeal: Appeal | Row,
    deadlines: Sequence[AppealDeadline | Row],
    *,
    today: date,
    tz: Any,
    directum: DirectumRead | None = None,
    personal: bool = True,
) -> dict[str, Any]:
    """`AppealRead`'s fields, not yet validated."""
    return {
        "id": appeal.id,
        "number": display_number(appeal.year, appeal.seq),
        "year": appeal.year,
        "seq": appeal.seq,
        "kind": appeal.kind,
        "form": appeal.form,
        "channel": appeal.channel,
        "language": appeal.language,
        "status": appeal.status,
        "received_at": appeal.received_at.astimezone(tz),
        "registered_on": appeal.registered_on,
        "due_date": appeal.due_date,
        "answer_rule": appeal.answer_rule,
        "overdue": is_overdue(appeal, today),
        "completed_on": appeal.completed_on,
        "deadlines": [
            {
                "rule": d.rule,
                "clause": RULES[d.rule].clause if d.rule in RULES else "",
                "start_on": d.start_on,
                "due_on": d.due_on,
                "original_due_on": d.original_due_on,
                "done_on": d.done_on,
                "fixed": d.fixed,
                "cancelled": d.cancelled,
            }
            for d in deadlines
        ],
        "text": appeal.text,
        "summary": appeal.summary,
        "addressee": appeal.addressee,
        "applicants": (
            appeal.applicants if personal else privacy.masked_applicants(appeal.applicants)
        ),
        "respond_to": appeal.respond_to,
        "representative": (
            appeal.representative
            if personal
            else privacy.masked_representative(appeal.representative)
        ),
        "personal_data_masked": not personal,
        "confidential": appeal.confidential,
        "checks": {
            "anonymity": appeal.needs_anonymity_check,
            "authority_documents": appeal.needs_authority_check,
        },
        "control": appeal.control,
        "related": appeal.related,
        "external_ref": appeal.external_ref,
        "paper": appeal.paper,
        "units": appeal.units,
        "outcome": appeal.outcome,
        "disposal": appeal.disposal,
        "joined_to": appeal.joined_to,
        "on_control": appeal.control_removed_at is None,
        "control_removed_at": (
            appeal.control_removed_at.astimezone(tz) if appeal.control_removed_at else None
        ),
        "control_removed_by": appeal.control_removed_by,
        "created_at": appeal.created_at.astimezone(tz),
        "updated_at": appeal.updated_at.astimezone(tz),
        "directum": directum,
    }


def can_see(principal: Principal, appeal: Appeal | Row) -> bool:
    """Executors reach only appeals routed to their unit; for others they do not exist."""
    if principal.role is Role.EXECUTOR:
        return principal.unit_code is not None and principal.unit_code in appeal.units
    return True


async def get_visible(
    session: AsyncSession, *, appeal_id: uuid.UUID, principal: Principal
) -> Appeal:
    appeal = await repository.get(session, appeal_id)
    if appeal is None or not can_see(principal, appeal):
        raise NotFound("No such appeal.")
    return appeal


async def read(
    session: AsyncSession,
    appeal: Appeal | Row,
    *,
    principal: Principal,
    now: datetime,
    tz: Any,
    via: str,
) -> AppealRead:
    """One appeal for this caller: masked or recorded as read where confidential (R-8.2)."""
    return (await read_many(session, [appeal], principal=principal, now=now, tz=tz, via=via))[0]


async def read_many(
    session: AsyncSession,
    appeals: Sequence[Appeal | Row],
    *,
    principal: Principal,
    now: datetime,
    tz: Any,
    via: str,
) -> list[AppealRead]:
    ids = [a.id for a in appeals]
    deadlines = await repository.deadlines_of(session, ids)
    # Only a routed appeal can have been dispatched to DIRECTUM: skip the query otherwise.
    routed = [a.id for a in appeals if a.units]
    directum = await directum_service.status_of(session, routed)  # per page, not per appeal
    await privacy.record_reads(session, principal=principal, appeals=appeals, via=via, now=now)
    today = now.astimezone(tz).date()
    return [
        to_read(
            a,
            deadlines[a.id],
            today=today,
            tz=tz,
            directum=directum.get(a.id),
            personal=privacy.sees_personal_data(principal, a),
        )
        for a in appeals
    ]


async def history(
    session: AsyncSession, *, appeal: Appeal, after: int, limit: int
) -> list[AppealHistory]:
    return await repository.history(session, appeal_id=appeal.id, after=after, limit=limit)


# Compared against when the number is unknown, so both misses cost the same.
_DUMMY_HASH = hashlib.sha256(b"no such appeal").hexdigest()


async def public_status(
    session: AsyncSession, *, year: int, seq: int, code: str, tz: Any
) -> PublicStatus:
    """The applicant's view by number and code: a wrong code looks like no appeal (R-8.1)."""
    appeal = await repository.find_by_number(session, year=year, seq=seq)
    stored = appeal.tracking_code_hash if appeal is not None else _DUMMY_HASH
    offered = _hash_tracking_code(appeal.id if appeal else uuid.UUID(int=0), code.strip().upper())
    if not hmac.compare_digest(offered, stored) or appeal is None:
        raise NotFound("No appeal with this number and code.")
    deadlines = (await repository.deadlines_of(session, [appeal.id]))[appeal.id]
    return PublicStatus(
        number=display_number(appeal.year, appeal.seq),
        status=Status(appeal.status),
        received_on=appeal.received_at.astimezone(tz).date(),
        registered_on=appeal.registered_on,
        due_date=appeal.due_date,
        completed_on=appeal.completed_on,
        outcome=appeal.outcome,
        deadlines=[
            PublicDeadline(rule=d.rule, due_on=d.due_on, done_on=d.done_on) for d in deadlines
        ],
    )
