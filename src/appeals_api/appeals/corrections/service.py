"""Corrections of registration data (R-12.2): a misspelt name, a wrong kind, a missing summary.

One transaction like an action's: the calendar share-locked, then the appeal's row (lock order,
ARCHITECTURE.md); `If-Match` as the actions treat it (a stale one is 412, none is accepted);
every changed field before → after in one history row with the reason, through the journal.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from appeals_api.appeals import deadlines as deadline_policy
from appeals_api.appeals import envelope, journal, repository, violations
from appeals_api.appeals.access import NO_SUCH_APPEAL, can_see
from appeals_api.appeals.corrections.schemas import AppealCorrection
from appeals_api.appeals.enums import EnvelopeCheck, Kind, LetterKind, LetterState
from appeals_api.appeals.lifecycle.action import Action, addressee
from appeals_api.appeals.lifecycle.service import check_if_match, load_facts
from appeals_api.appeals.models import Appeal
from appeals_api.appeals.relations import related_record
from appeals_api.appeals.schemas import IndividualApplicant, LegalEntityApplicant, RelatedRef
from appeals_api.auth.roles import Principal
from appeals_api.calendar import service as calendar_service
from appeals_api.config import Settings
from appeals_api.errors import FieldError, NotFound, Unprocessable
from appeals_api.topics import service as topics

ACTION = "correct"
# Columns that are never empty: a correction may change them, not clear them.
REQUIRED = ("applicants", "kind", "language", "confidential", "topics")
# The answer rules a kind can have; `answer_extended_study` is a decision (§36) that a
# correction of the kind keeps for an application or complaint.
STUDY_RULE = "answer_extended_study"


def _refuse(fields: list[str], message: str) -> Unprocessable:
    return Unprocessable(
        f"{message} (R-12.2)",
        [FieldError(field=f, message=message, type="server_owned") for f in fields],
    )


async def _related(
    session: AsyncSession, settings: Settings, appeal: Appeal, ref: RelatedRef
) -> dict[str, Any]:
    """R-2.3: the earlier appeal by its number, as intake records it; never the appeal itself."""
    earlier = await repository.find_by_number(session, year=ref.year, seq=ref.number)
    if earlier is not None and earlier.id == appeal.id:
        raise Unprocessable(
            "An appeal is not a duplicate or repeat of itself (R-2.3)",
            [FieldError(field="related", message="names this appeal", type="value_error")],
        )
    if earlier is None:  # it may predate this system: kept as given
        return related_record(ref, earlier_id=None, received_on=None)
    received_on = earlier.received_at.astimezone(settings.tz).date()
    return related_record(ref, earlier_id=earlier.id, received_on=received_on)


def check_body(body: AppealCorrection) -> None:
    """422 for a field the server owns, or a required one sent as null (R-12.2)."""
    if body.server_owned:
        names = ", ".join(body.server_owned)
        raise _refuse(
            body.server_owned,
            f"{names}: owned by the server; the number, the receipt instant, the deadlines, the "
            "status and the text as received are never corrected",
        )
    cleared = [f for f in REQUIRED if f in body.model_fields_set and getattr(body, f) is None]
    if cleared:
        raise Unprocessable(
            f"{', '.join(cleared)} cannot be cleared (R-12.2)",
            [FieldError(field=f, message="may be corrected, not cleared", type="required")
             for f in cleared],
        )  # fmt: skip


async def correct(
    session: AsyncSession,
    settings: Settings,
    *,
    appeal_id: uuid.UUID,
    body: AppealCorrection,
    principal: Principal,
    now: datetime,
    if_match: str | None,
) -> Any:
    """R-12.2: the fields sent replace the registration data, before → after in the history with
    the reason; a kind whose answer rule differs recomputes the open answer deadline (R-3.6)
    on the calendar in force, and a passed one it cancels is recorded as violated (R-9.4)."""
    check_body(body)
    calendar = (await calendar_service.load_versioned(session, settings, lock=True)).calendar
    appeal = await repository.get_for_update(session, appeal_id)
    if appeal is None or not can_see(principal, appeal):
        raise NotFound(NO_SUCH_APPEAL)
    check_if_match(if_match, appeal)
    # an appeal an override's recompute has not reached yet is recomputed first.
    await deadline_policy.catch_up(session, appeal, calendar, settings, now)
    facts = await load_facts(session, appeal)
    action = Action(session, settings, facts, principal, now, _calendar=calendar)
    values = body.corrected()
    await _check_values(session, body, appeal, values)
    if body.related is not None:
        values["related"] = await _related(session, settings, appeal, body.related)
    was = await violations.before(session, appeal, facts.deadlines, today=action.today)
    old_kind = Kind(appeal.kind)
    found_before = envelope.failed_check(appeal.paper)
    for name, value in values.items():
        action.set(name, value)
    _recheck_flags(action)
    _report_envelope(action, found_before)
    if Kind(appeal.kind) is not old_kind:
        await _follow_kind(action)
    if not action.changes:
        return appeal  # nothing differs: no new version, no history row
    found = violations.violated(was, facts.deadlines, action.late)
    await violations.record(session, appeal, was, found, actor=action.actor, action=ACTION, now=now)
    action.emit("appeal.updated", action=ACTION, fields=sorted(values))
    await journal.record(
        session, appeal, actor=action.actor, action=ACTION, at=now, changes=action.changes,
        note=body.reason, events=action.events,
    )  # fmt: skip
    return appeal


async def _check_values(
    session: AsyncSession, body: AppealCorrection, appeal: Appeal, values: dict[str, Any]
) -> None:
    """The rules between the fields: §41's applicant, R-13.1's topics."""
    _check_respond_to(values, appeal.applicants, appeal.respond_to)
    if body.topics is not None:
        await topics.check_codes(session, body.topics, field="topics", kept=appeal.topics)


def _check_respond_to(
    values: dict[str, Any], applicants: list[dict[str, Any]], respond_to: int | None
) -> None:
    """§41: the applicant answered is one of the applicants, after the correction too."""
    count = len(values.get("applicants", applicants))
    index = values.get("respond_to", respond_to)
    if index is not None and index >= count:
        message = "respond_to must be the index of one of the applicants (§41)"
        field = "respond_to" if "respond_to" in values else "applicants"
        raise Unprocessable(message, [FieldError(field=field, message=message, type="rule")])


def _identified(applicant: dict[str, Any]) -> bool:
    model = LegalEntityApplicant if applicant.get("type") == "legal_entity" else IndividualApplicant
    return model.model_validate(applicant).identified()


def _recheck_flags(a: Action) -> None:
    """The checks intake derives from the applicants and the representative (R-7, §12, §48)
    follow their correction."""
    appeal = a.appeal
    if "applicants" in a.changes:
        a.set("needs_anonymity_check", not any(_identified(x) for x in appeal.applicants))
    if "representative" in a.changes:
        rep = appeal.representative
        a.set("needs_authority_check", bool(rep and not rep.get("authority_documents")))


def _report_envelope(a: Action, found_before: EnvelopeCheck | None) -> None:
    """R-1.6 (§14): a check corrected to a failing finding (a new one) draws up its report,
    signed by the official who records it, as intake does."""
    found = envelope.failed_check(a.appeal.paper)
    if found is None or found == found_before:
        return
    a.letter(
        LetterKind.ENVELOPE_REPORT,
        LetterState.SIGNED,
        text=envelope.report_text(found, a.appeal.language),
        language=a.appeal.language,
        addressee=addressee(a.appeal),
        signed_by=a.principal.label,
        signed_on=a.today,
    )
    a.note("letters.envelope_report", {"state": LetterState.SIGNED, "finding": found})


def answer_rule_after(kind: Kind, current: str) -> str:
    """R-3.3: a proposal a month (§37), an application or complaint 15 days (§36), or the month
    of additional study when it was decided for it."""
    if kind is Kind.PROPOSAL:
        return "proposal_answer"
    return current if current == STUDY_RULE else "answer"


async def _follow_kind(a: Action) -> None:
    """R-12.2, R-3.6: the open answer deadline of the old rule is cancelled (its violation, if it
    had passed, is recorded: R-9.4) and one of the new rule counted from the same start."""
    appeal = a.appeal
    rule = answer_rule_after(Kind(appeal.kind), appeal.answer_rule)
    old = a.facts.open_deadline(appeal.answer_rule)
    if rule == appeal.answer_rule or old is None:
        return  # the same rule, or consideration ended: the deadline that applied stays
    a.close_deadline(old, a.today, cancelled=True)
    new = await a.add_deadline(rule, old.start_on)
    previous = appeal.due_date
    a.set("answer_rule", rule)
    a.set("due_date", new.due_on)
    a.emit(
        "appeal.deadline_changed",
        rule=rule,
        previous_due_date=previous,
        due_date=new.due_on,
        reason="kind_corrected",
    )
    await a.follow_duplicates(due_date=new.due_on)
