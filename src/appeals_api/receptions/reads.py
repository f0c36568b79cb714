"""Receptions as returned, the person's identity masked for a reader who does not see personal
data (R-8.2: `appeals.privacy`'s rule)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from appeals_api.appeals.numbering import display_number
from appeals_api.appeals.privacy import service as privacy
from appeals_api.appeals.schemas import IndividualApplicant
from appeals_api.auth.roles import Principal
from appeals_api.receptions import repository
from appeals_api.receptions.models import PersonalReception, Protocol, ProtocolEntry
from appeals_api.receptions.schemas import (
    Official,
    PersonalReceptionRead,
    ProtocolEntryRead,
    ProtocolRead,
)

MASK = "***"


async def _numbers(
    session: AsyncSession, ids: Sequence[uuid.UUID | None]
) -> dict[uuid.UUID, tuple[str, date]]:
    found = await repository.appeals_by_id(session, [i for i in ids if i is not None])
    return {i: (display_number(year, seq), due) for i, (year, seq, due) in found.items()}


async def personal(
    session: AsyncSession,
    receptions: Sequence[PersonalReception],
    *,
    principal: Principal,
) -> list[PersonalReceptionRead]:
    numbers = await _numbers(session, [r.appeal_id for r in receptions])
    shown = privacy.sees_all_personal_data(principal)
    return [_personal(r, numbers, shown=shown) for r in receptions]


def _personal(
    r: PersonalReception,
    numbers: dict[uuid.UUID, tuple[str, date]],
    *,
    shown: bool,
) -> PersonalReceptionRead:
    document = r.identity_document
    if document is not None and not shown:
        document = {"type": document["type"], "number": MASK}
    linked = numbers.get(r.appeal_id) if r.appeal_id else None
    return PersonalReceptionRead(
        id=r.id,
        schedule_id=r.schedule_id,
        received_at=r.received_at,
        official=Official.model_validate(r.official),
        person=IndividualApplicant.model_validate(
            r.person if shown else privacy.masked_applicants([r.person])[0]
        ),
        identity_document=document,
        personal_data_masked=not shown,
        recording_notice=r.recording_notice,
        matter=r.matter,
        result=r.result,
        competent_body=r.competent_body,
        written_answer_requested=r.written_answer_requested,
        note=r.note,
        appeal_id=r.appeal_id,
        appeal_number=linked[0] if linked else None,
        created_at=r.created_at,
        created_by=r.created_by,
    )


async def protocol(
    session: AsyncSession,
    protocol: Protocol,
    entries: Sequence[ProtocolEntry],
    *,
    principal: Principal,
) -> ProtocolRead:
    numbers = await _numbers(session, [e.appeal_id for e in entries])
    shown = privacy.sees_all_personal_data(principal)
    return ProtocolRead(
        id=protocol.id,
        schedule_id=protocol.schedule_id,
        held_on=protocol.held_on,
        place=protocol.place,
        officials=[Official.model_validate(o) for o in protocol.officials],
        entries=[_entry(e, numbers, shown=shown) for e in entries],
        personal_data_masked=not shown,
        created_at=protocol.created_at,
        created_by=protocol.created_by,
    )


def _entry(
    e: ProtocolEntry, numbers: dict[uuid.UUID, tuple[str, date]], *, shown: bool
) -> ProtocolEntryRead:
    linked = numbers.get(e.appeal_id) if e.appeal_id else None
    return ProtocolEntryRead(
        id=e.id,
        position=e.position,
        name=e.name if shown else MASK,
        residence=e.residence if shown else MASK,
        summary=e.summary,
        result=e.result,
        resolved_on_the_spot=e.resolved_on_the_spot,
        appeal_id=e.appeal_id,
        appeal_number=linked[0] if linked else None,
        due_date=linked[1] if linked else None,
    )
