"""The appeal as returned (`AppealRead`), built from a model instance or a plain row."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from types import SimpleNamespace
from typing import Any

from appeals_api.appeals.models import Appeal, AppealDeadline, AppealViolation
from appeals_api.appeals.numbering import display_number
from appeals_api.appeals.privacy import service as privacy
from appeals_api.appeals.repository import ANSWER_RULES
from appeals_api.appeals.schemas import AppealRead, DirectumRead
from appeals_api.calendar.rules import RULES

# A plain row of an appeal's (or a deadline's) columns, read like the model: the hot paths build
# answers from statement rows and plans without the ORM's per-instance bookkeeping.
Row = SimpleNamespace


def is_overdue(appeal: Appeal | Row, today: date, violations: Sequence[Any] = ()) -> bool:
    """An answer deadline was violated (R-9.4, recorded: nothing later undoes it), or the one in
    force is past without an answer, or was answered after it (R-6.3)."""
    if any(v.rule in ANSWER_RULES for v in violations):
        return True
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
    violations: Sequence[AppealViolation | Row] = (),
) -> AppealRead:
    """The appeal as returned; `personal=False` masks the applicants' identity (R-8.2)."""
    fields = read_fields(
        appeal, deadlines, today=today, tz=tz, directum=directum, personal=personal,
        violations=violations,
    )  # fmt: skip
    return AppealRead.model_validate(fields)


# The columns an appeal is shown with as they are stored.
_AS_STORED = (
    "id", "year", "seq", "kind", "form", "channel", "language", "status", "registered_on",
    "due_date", "answer_rule", "completed_on", "text", "summary", "addressee", "respond_to",
    "confidential", "control", "related", "external_ref", "paper", "units", "topics", "outcome",
    "disposal", "joined_to", "control_removed_by", "violation_learned_on", "filed_late",
    "term_restored", "reception_id",
)  # fmt: skip


def _deadline_fields(d: AppealDeadline | Row) -> dict[str, Any]:
    return {
        "rule": d.rule,
        "clause": RULES[d.rule].clause if d.rule in RULES else "",
        "start_on": d.start_on,
        "due_on": d.due_on,
        "original_due_on": d.original_due_on,
        "done_on": d.done_on,
        "fixed": d.fixed,
        "cancelled": d.cancelled,
    }


def _violation_fields(v: AppealViolation | Row, tz: Any) -> dict[str, Any]:
    return {
        "rule": v.rule,
        "clause": RULES[v.rule].clause if v.rule in RULES else "",
        "due_date": v.due_on,
        "recorded_at": _local(v.recorded_at, tz),
        "units": list(v.units),
        "executors": list(v.executors),
    }


def _local(instant: datetime | None, tz: Any) -> datetime | None:
    return instant.astimezone(tz) if instant is not None else None


def read_fields(
    appeal: Appeal | Row,
    deadlines: Sequence[AppealDeadline | Row],
    *,
    today: date,
    tz: Any,
    directum: DirectumRead | None = None,
    personal: bool = True,
    violations: Sequence[AppealViolation | Row] = (),
) -> dict[str, Any]:
    """`AppealRead`'s fields, not yet validated; the applicants masked unless `personal`."""
    return {name: getattr(appeal, name) for name in _AS_STORED} | {
        "number": display_number(appeal.year, appeal.seq),
        "received_at": _local(appeal.received_at, tz),
        "overdue": is_overdue(appeal, today, violations),
        "deadlines": [_deadline_fields(d) for d in deadlines],
        "violations": [_violation_fields(v, tz) for v in violations],
        "applicants": (
            appeal.applicants if personal else privacy.masked_applicants(appeal.applicants)
        ),
        "representative": (
            appeal.representative
            if personal
            else privacy.masked_representative(appeal.representative)
        ),
        "personal_data_masked": not personal,
        "checks": {
            "anonymity": appeal.needs_anonymity_check,
            "authority_documents_missing": appeal.needs_authority_check,
            "authority_documents": appeal.needs_authority_check,
        },
        "on_control": appeal.control_removed_at is None,
        "control_removed_at": _local(appeal.control_removed_at, tz),
        "created_at": _local(appeal.created_at, tz),
        "updated_at": _local(appeal.updated_at, tz),
        "directum": directum,
        "search": None,  # set on the items of a list searched with `q`
    }
