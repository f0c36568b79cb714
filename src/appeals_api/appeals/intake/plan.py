"""An appeal ready to register: its columns, deadlines, answer and event, computed before the
statement that numbers and writes it (R-1, R-2.1, R-3.2–3.3)."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from appeals_api.appeals import envelope, late
from appeals_api.appeals.contacts import notice_contacts
from appeals_api.appeals.deadlines import answer_rule_for, registration_deadlines
from appeals_api.appeals.enums import Form, Status
from appeals_api.appeals.lifecycle.action import addressee_of
from appeals_api.appeals.reading.fields import Row, read_fields
from appeals_api.appeals.schemas import AppealCreate
from appeals_api.appeals.tracking import hash_tracking_code, tracking_code
from appeals_api.calendar.rules import start_date
from appeals_api.calendar.workdays import WorkCalendar
from appeals_api.config import Settings

REGISTERED_CHANGES = {"status": [None, Status.REGISTERED]}
# The columns of a new appeal that intake leaves empty (its number comes from the statement).
_UNSET_AT_REGISTRATION: dict[str, Any] = dict.fromkeys(
    (
        "completed_on",
        "outcome",
        "disposal",
        "joined_to",
        "control_removed_at",
        "control_removed_by",
        "term_restored",
    ),
    None,
) | {"seq": 0}


def request_fingerprint(data: AppealCreate) -> str:
    """The body's meaning, not its bytes: its fields in the model's order with the values as
    validated, so a retry that orders or spaces its keys differently is the same request."""
    return hashlib.sha256(data.model_dump_json().encode()).hexdigest()


@dataclass(frozen=True)
class Reception:
    """When the appeal was received, and what that asks of the caller (R-3.2)."""

    at: datetime
    backdated: bool  # before now by more than the clock skew allowed: registrar or higher
    future: bool  # after now by more than the skew: refused (422), after the key is checked


def reception(data: AppealCreate, now: datetime, s: Settings) -> Reception:
    if data.received_at is None:
        return Reception(at=now, backdated=False, future=False)
    tolerance = timedelta(seconds=s.backdate_tolerance_seconds)
    return Reception(
        at=data.received_at,
        backdated=data.received_at < now - tolerance,
        future=data.received_at > now + tolerance,
    )


@dataclass(frozen=True)
class EnvelopeReport:
    """R-1.6 (§14): the report of a failed envelope check, drawn up and signed at intake."""

    text: str
    language: str
    addressee: str | None
    signed_on: date


def envelope_report(data: AppealCreate, today: date) -> EnvelopeReport | None:
    paper = data.paper.model_dump(mode="json") if data.paper else None
    if (found := envelope.failed_check(paper)) is None:
        return None
    return EnvelopeReport(
        text=envelope.report_text(found, data.language),
        language=data.language,
        addressee=addressee_of(
            [a.model_dump(mode="json") for a in data.applicants], data.respond_to
        ),
        signed_on=today,
    )


@dataclass(frozen=True)
class Plan:
    """An appeal ready to insert: every column but its number and creator, its stage deadlines,
    its answer (without the number) and its event (R-2.1, R-3.2–3.3)."""

    values: dict[str, Any]
    deadlines: list[dict[str, Any]]
    body: dict[str, Any]
    event_data: dict[str, Any]
    changes: dict[str, Any]  # the registration's history entry
    report: EnvelopeReport | None = None  # §14: drawn up with the registration
    # the tracking code kept for the receipt notice until the worker renders it; None
    # when no one is told (anonymous, or no e-mail or phone).
    notice_code: str | None = None

    @property
    def appeal_id(self) -> uuid.UUID:
        appeal_id: uuid.UUID = self.values["id"]
        return appeal_id


def _columns(
    data: AppealCreate,
    *,
    appeal_id: uuid.UUID,
    code: str,
    related: dict[str, Any] | None,
    reception_id: uuid.UUID | None,
) -> dict[str, Any]:
    """The appeal's columns that come from the request as it was sent."""
    return {
        "id": appeal_id,
        "kind": data.kind,
        "form": data.form,
        "channel": data.channel,
        "language": data.language,
        "status": Status.REGISTERED,
        "text": data.text,
        "summary": data.summary,
        "addressee": data.addressee,
        "applicants": [a.model_dump(mode="json", exclude_none=True) for a in data.applicants],
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
        "violation_learned_on": data.violation_learned_on,
        "units": [],
        "topics": list(data.topics),
        "tracking_code_hash": hash_tracking_code(appeal_id, code),
        "reception_id": reception_id,
    }


def plan_registration(
    settings: Settings,
    *,
    data: AppealCreate,
    received_at: datetime,
    calendar: WorkCalendar,
    related: dict[str, Any] | None,
    now: datetime,
    reception_id: uuid.UUID | None = None,
) -> Plan:
    tz = settings.tz
    electronic = data.form is Form.ELECTRONIC
    registered_on = start_date(
        received_at, electronic=electronic, calendar=calendar, tz=tz, work_end=settings.work_end
    )
    deadlines = registration_deadlines(
        registered_on=registered_on, kind=data.kind, calendar=calendar
    )
    answer_rule = answer_rule_for(data.kind)
    due_date = next(d["due_on"] for d in deadlines if d["rule"] == answer_rule)
    code = tracking_code()
    received_on = received_at.astimezone(tz).date()
    values = _columns(
        data, appeal_id=uuid.uuid4(), code=code, related=related, reception_id=reception_id
    ) | {
        # R-3.5 (§16): counted by calendar date in Tashkent.
        "filed_late": late.filed_late(
            learned_on=data.violation_learned_on, received_on=received_on
        ),
        # the book the number is entered in is this year's (Tashkent), whenever the
        # appeal was received: a closed year's book is never reopened.
        "year": now.astimezone(tz).year,
        "received_at": received_at,
        "registered_on": registered_on,
        "answer_rule": answer_rule,
        "due_date": due_date,
        "created_at": now,
        "updated_at": now,
        "version": 1,
    }
    body = _answer(data, values, deadlines, code=code, today=now.astimezone(tz).date(), tz=tz)
    report = envelope_report(data, now.astimezone(tz).date())
    changes: dict[str, Any] = dict(REGISTERED_CHANGES)
    if report is not None:
        changes["letters.envelope_report"] = [
            None,
            {"state": "signed", "addressee": report.addressee},
        ]
    return Plan(
        values=values,
        deadlines=deadlines,
        body=body,
        event_data=_event(values),
        changes=changes,
        report=report,
        notice_code=code if notice_contacts(values["applicants"], data.respond_to) else None,
    )


def _event(values: dict[str, Any]) -> dict[str, Any]:
    """`appeal.registered`'s data (its number is added by the statement that takes it)."""
    return {
        **{name: values[name] for name in ("year", "kind", "form", "channel")},
        "registered_on": values["registered_on"].isoformat(),
        "due_date": values["due_date"].isoformat(),
    }


def _answer(
    data: AppealCreate,
    values: dict[str, Any],
    deadlines: list[dict[str, Any]],
    *,
    code: str,
    today: date,
    tz: Any,
) -> dict[str, Any]:
    """The answer as `AppealCreated` would give it, without validating what was just validated:
    the nested models are dumped whole (every field, null included), as a read shows them."""
    preview = Row(**values, **_UNSET_AT_REGISTRATION)
    deadline_rows = [Row(done_on=None, fixed=False, cancelled=False, **d) for d in deadlines]
    body = read_fields(preview, deadline_rows, today=today, tz=tz)
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
    return body
