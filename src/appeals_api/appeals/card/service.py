"""The registration card of Appendix 2 (R-2.2) with its note on deadline violation (R-9.3).

Built from what the lifecycle recorded: resolutions, directions to units, letters, measures, and
the history rows of extensions; rendered as JSON or as one printable, self-contained HTML page.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, tzinfo
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from appeals_api.appeals import repository
from appeals_api.appeals.card.schemas import (
    CardApplicant,
    CardControl,
    CardControlRemoval,
    CardDeadlineChange,
    CardDirection,
    CardExecutor,
    CardFront,
    CardLate,
    CardLetter,
    CardMeasure,
    CardRelated,
    CardResolution,
    CardReverse,
    CardUnit,
    RegistrationCard,
)
from appeals_api.appeals.card.violations import violated_stages, violation_note
from appeals_api.appeals.enums import LetterKind, LetterState
from appeals_api.appeals.lifecycle import repository as lifecycle_repository
from appeals_api.appeals.models import (
    Appeal,
    AppealDeadline,
    AppealHistory,
    Assignment,
    Letter,
    Resolution,
)
from appeals_api.appeals.numbering import display_number
from appeals_api.appeals.privacy import service as privacy
from appeals_api.appeals.reading import repository as reading_repository
from appeals_api.rows import from_row
from appeals_api.topics import service as topics
from appeals_api.units import service as units_service

HISTORY_PAGE = 500
# The letters that end consideration: the answer, or that of another way out.
CLOSING_LETTERS = frozenset(LetterKind) - {
    LetterKind.INTERIM,
    LetterKind.CLARIFICATION,
    LetterKind.STUDY_NOTICE,
    LetterKind.ENVELOPE_REPORT,
}


async def build_card(
    session: AsyncSession, appeal: Appeal, *, today: date, tz: tzinfo, personal: bool = True
) -> RegistrationCard:
    """Appendix 2, both sides, from the appeal and its records (R-2.2, R-9.3); `personal=False`
    withholds a confidential applicant's identity, in the letters' addressee too (R-8.2)."""
    # The stored strings (kind, status, outcome...) become the schemas' enums by validation.
    resolutions = await lifecycle_repository.resolutions_of(session, appeal.id)
    unit_names = {u.code: u.name for u in await units_service.list_units(session)}
    deadlines = (await repository.deadlines_of(session, [appeal.id]))[appeal.id]
    answer = next((d for d in reversed(deadlines) if d.rule == appeal.answer_rule), None)
    front = _front(
        appeal,
        resolution=next((r for r in reversed(resolutions) if r.superseded_at is None), None),
        original_due_date=answer.original_due_on if answer else appeal.due_date,
        unit_names=unit_names,
        tz=tz,
        personal=personal,
    )
    front.topics = await topics.labels(session, appeal.topics)
    return RegistrationCard(
        id=appeal.id,
        number=front.serial_number,
        status=appeal.status,
        as_of=today,
        front=front,
        reverse=await _reverse(
            session,
            appeal,
            resolutions,
            unit_names,
            deadlines,
            today=today,
            tz=tz,
            personal=personal,
        ),
    )


def _front(
    appeal: Appeal,
    *,
    resolution: Resolution | None,
    original_due_date: date,
    unit_names: dict[str, str],
    tz: tzinfo,
    personal: bool,
) -> CardFront:
    paper = appeal.paper or {}
    applicants, address, representative = _identity(appeal, personal=personal)
    return CardFront(
        serial_number=display_number(appeal.year, appeal.seq),
        question=appeal.text,
        summary=appeal.summary,
        applicants=applicants,
        address=address,
        representative=representative,
        received_on=appeal.received_at.astimezone(tz).date(),
        registration_date=appeal.created_at.astimezone(tz).date(),
        confidential=appeal.confidential,
        identity_withheld=appeal.confidential and not personal,
        registered_on=appeal.registered_on,
        applicant_count=len(appeal.applicants),
        form=appeal.form,
        sheets=paper.get("sheets"),
        attachments=paper.get("attachments"),
        channel=appeal.channel,
        related=_related(appeal.related),
        kind=appeal.kind,
        late_complaint=CardLate.of(appeal),
        control=_control(appeal.control),
        resolution=(
            CardResolution.model_validate(resolution, from_attributes=True) if resolution else None
        ),
        due_date=appeal.due_date,
        original_due_date=original_due_date,
        units=_units(appeal.units, unit_names),
        executors=[
            CardExecutor.model_validate(e) for e in (resolution.executors if resolution else [])
        ],
    )


def _control(control: dict[str, Any]) -> CardControl:
    """R-2.4: internal control unless the appeal records another."""
    return CardControl.model_validate(
        {"type": "internal", "body": None, "reference": None, **control}
    )


def _units(codes: Sequence[str], unit_names: dict[str, str]) -> list[CardUnit]:
    """The structural divisions, the lead (the first) marked (§27)."""
    return [CardUnit(code=c, name=unit_names.get(c), lead=i == 0) for i, c in enumerate(codes)]


def _identity(
    appeal: Appeal, *, personal: bool
) -> tuple[list[CardApplicant], str | None, str | None]:
    """The applicants, the address answered and the representative's name; without
    `personal`, a confidential applicant's identity withheld (R-8.2)."""
    if personal:
        applicants, representative = appeal.applicants, appeal.representative
        address = _answered_applicant(appeal).get("address")
    else:
        applicants = privacy.masked_applicants(appeal.applicants)
        representative = privacy.masked_representative(appeal.representative)
        address = None
    return [_applicant(a) for a in applicants], address, (representative or {}).get("name")


async def _reverse(
    session: AsyncSession,
    appeal: Appeal,
    resolutions: Sequence[Resolution],
    unit_names: dict[str, str],
    deadlines: Sequence[AppealDeadline],
    *,
    today: date,
    tz: tzinfo,
    personal: bool,
) -> CardReverse:
    letters = await lifecycle_repository.letters_of(session, appeal.id)
    violations = (await repository.violations_of(session, [appeal.id]))[appeal.id]
    assignments = await lifecycle_repository.assignments_of(session, appeal.id)
    closing = _closing_letter(letters)
    return CardReverse(
        directions=_directions(assignments, resolutions, unit_names, tz),
        response_letter=_letter(closing, tz, personal=personal) if closing else None,
        deadline_changes=await _deadline_changes(session, appeal, tz),
        response_received_on=(
            closing.drafted_at.astimezone(tz).date()
            if closing and closing.kind == LetterKind.RESPONSE
            else None
        ),
        outcome=appeal.outcome,
        disposal=appeal.disposal,
        removed_from_control=_removal(appeal, tz),
        completed_on=appeal.completed_on,
        violation_note=violation_note(
            appeal, today=today, violations=violations, deadlines=deadlines
        ),
        violations=violated_stages(appeal, today=today, violations=violations, deadlines=deadlines),
        measures=[
            CardMeasure.model_validate(m, from_attributes=True)
            for m in await lifecycle_repository.measures_of(session, appeal.id)
        ],
        letters=[_letter(x, tz, personal=personal) for x in letters],
    )


def _removal(appeal: Appeal, tz: tzinfo) -> CardControlRemoval | None:
    if appeal.control_removed_at is None:
        return None
    at = appeal.control_removed_at.astimezone(tz)
    return CardControlRemoval(by=appeal.control_removed_by or "", at=at, on=at.date())


def _applicant(data: dict[str, Any]) -> CardApplicant:
    if data.get("type") == "legal_entity":
        return CardApplicant(
            type="legal_entity", name=data.get("name"), address=data.get("address")
        )
    parts = (data.get("last_name"), data.get("first_name"), data.get("patronymic"))
    name = " ".join(p for p in parts if p) or None
    return CardApplicant(type="individual", name=name, address=data.get("address"))


def _answered_applicant(appeal: Appeal) -> dict[str, Any]:
    """§41: the first applicant, unless another was designated."""
    if not appeal.applicants:
        return {}
    index = appeal.respond_to or 0
    return appeal.applicants[index] if index < len(appeal.applicants) else appeal.applicants[0]


def _related(related: dict[str, Any] | None) -> CardRelated | None:
    if related is None:
        return None
    received = related.get("received_on")
    return CardRelated(
        relation=related["relation"],
        number=related.get("display") or display_number(related["year"], related["number"]),
        received_on=date.fromisoformat(received) if received else None,
    )


def _directions(
    assignments: Sequence[Assignment],
    resolutions: Sequence[Resolution],
    unit_names: dict[str, str],
    tz: tzinfo,
) -> list[CardDirection]:
    current = {r.id for r in resolutions if r.superseded_at is None}
    return [
        CardDirection(
            unit=a.unit_code,
            unit_name=unit_names.get(a.unit_code),
            lead=a.position == 0,
            dispatched_on=a.dispatched_on,
            accepted_on=a.accepted_at.astimezone(tz).date() if a.accepted_at else None,
            accepted_by=a.accepted_by,
            current=a.resolution_id in current,
        )
        for a in assignments
    ]


async def _deadline_changes(
    session: AsyncSession, appeal: Appeal, tz: tzinfo
) -> list[CardDeadlineChange]:
    """R-3.4: every extension and shortening, from the history rows that recorded them."""
    out: list[CardDeadlineChange] = []
    after = 0
    while True:
        rows = await reading_repository.history(
            session, appeal_id=appeal.id, after=after, limit=HISTORY_PAGE
        )
        out.extend(change for row in rows for change in _changes_of(row, tz))
        if len(rows) < HISTORY_PAGE:
            return out
        after = rows[-1].id


def _changes_of(row: AppealHistory, tz: tzinfo) -> Iterable[CardDeadlineChange]:
    """`extend` and `shorten` record {"deadlines.<rule>": [old, new]} (handlers.py)."""
    if row.action not in ("extend", "shorten"):
        return
    for key, value in row.changes.items():
        rule = key.removeprefix("deadlines.")
        if rule == key or "." in rule or not isinstance(value, list) or len(value) != 2:
            continue
        old, new = value
        if isinstance(old, str) and isinstance(new, str):
            yield CardDeadlineChange(
                action=row.action,
                rule=rule,
                previous_due_date=date.fromisoformat(old),
                due_date=date.fromisoformat(new),
                by=f"{row.actor_name} ({row.actor_role})",
                on=row.at.astimezone(tz).date(),
                reason=row.note,
            )


def _closing_letter(letters: Sequence[Letter]) -> Letter | None:
    """The letter sent to end consideration; else the response still being drafted or signed."""
    sent = [x for x in letters if x.kind in CLOSING_LETTERS and x.state == LetterState.SENT]
    if sent:
        return sent[-1]
    pending = [
        x for x in letters if x.kind == LetterKind.RESPONSE and x.state != LetterState.RETURNED
    ]
    return pending[-1] if pending else None


def _letter(letter: Letter, tz: tzinfo, *, personal: bool = True) -> CardLetter:
    # A forwarding letter goes to an organisation; every other one to the applicant (§41).
    shown = personal or letter.kind == LetterKind.FORWARD
    return from_row(
        CardLetter,
        letter,
        drafted_on=letter.drafted_at.astimezone(tz).date(),
        addressee=letter.addressee if shown else None,
    )


# --- The printable page: every value goes through html.escape (applicant text is untrusted).
