"""The appeal as returned (`AppealRead`), built from a model instance or a plain row."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from types import SimpleNamespace
from typing import Any

from appeals_api.appeals.models import Appeal, AppealDeadline
from appeals_api.appeals.numbering import display_number
from appeals_api.appeals.privacy import service as privacy
from appeals_api.appeals.schemas import AppealRead, DirectumRead
from appeals_api.calendar.rules import RULES

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
