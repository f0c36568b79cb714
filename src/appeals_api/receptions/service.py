"""Personal receptions (R-11.2, §54–59) and mass reception protocols (R-11.3, R-1.7, §60).

An oral appeal made at a reception is registered through the one intake path
(`appeals.intake.service.register`), with the reception's id on the appeal; a matter resolved
on the spot at a mass reception is only a line of the protocol: no number, no deadline.
Intake commits its appeal in its own statement, before the reception's record is written in
the request's transaction (the record needs the appeal's id)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, time

import asyncpg
from sqlalchemy.ext.asyncio import AsyncSession

from appeals_api.appeals import journal
from appeals_api.appeals import repository as appeals_repository
from appeals_api.appeals.enums import Channel, Form
from appeals_api.appeals.intake import service as intake
from appeals_api.appeals.schemas import AppealCreate, IndividualApplicant
from appeals_api.auth.roles import Principal, Role
from appeals_api.calendar.service import CalendarCache
from appeals_api.config import Settings
from appeals_api.errors import Conflict, NotFound
from appeals_api.receptions import repository
from appeals_api.receptions.models import (
    PersonalReception,
    Protocol,
    ProtocolEntry,
)
from appeals_api.receptions.schemas import (
    PersonalReceptionCreate,
    ProtocolCreate,
    ProtocolEntryCreate,
)

WRITTEN_ANSWER_NOTE = (
    "§58: the applicant asked for the explanation in writing; the Appeals Department sends it."
)


@dataclass(frozen=True)
class Intake:
    """What the one intake path needs to register an appeal for the caller."""

    pool: asyncpg.Pool
    settings: Settings
    calendars: CalendarCache
    key_hash: str
    allowed: frozenset[Role]
    now: datetime
    person: Principal | None = None  # signed in through OIDC rather than with a key

    async def register(self, data: AppealCreate, *, reception_id: uuid.UUID, key: str) -> uuid.UUID:
        done = await intake.register(
            self.pool,
            self.settings,
            self.calendars,
            data=data,
            key_hash=self.key_hash,
            person=self.person,
            allowed=self.allowed,
            now=self.now,
            idempotency_key=key,
            reception_id=reception_id,
        )
        appeal_id: uuid.UUID = done.body["id"]
        return uuid.UUID(str(appeal_id))


async def record_personal(
    session: AsyncSession,
    intake_path: Intake,
    *,
    data: PersonalReceptionCreate,
    principal: Principal,
    reception_id: uuid.UUID,
) -> PersonalReception:
    """R-11.2: record a personal reception; an oral appeal made there is registered (§59).

    A retry of a request (the same `reception_id`, from its Idempotency-Key) answers what the
    first attempt recorded; when the first attempt registered the appeal and failed after it,
    the retry's intake replays that appeal (its key is the reception's), never a second."""
    if (done := await repository.personal_reception(session, reception_id)) is not None:
        return done
    now = intake_path.now
    if data.schedule_id and not await repository.schedule_entry(session, data.schedule_id):
        raise NotFound("No such schedule entry.")
    received_at = data.received_at or now
    appeal_id = data.appeal_id
    if data.appeal is not None:
        oral = AppealCreate(
            kind=data.appeal.kind,
            form=Form.ORAL,
            channel=Channel.PERSONAL_RECEPTION,
            language=data.appeal.language,
            text=data.appeal.text,
            summary=data.appeal.summary or data.matter,
            applicants=[data.person],
            addressee=_addressee(data.official.name, data.official.post),
            received_at=received_at,
        )
        appeal_id = await intake_path.register(
            oral, reception_id=reception_id, key=f"reception:{reception_id}"
        )
    elif appeal_id is not None:
        await _link(session, appeal_id, reception_id, principal=principal, now=now)
    reception = PersonalReception(
        id=reception_id,
        schedule_id=data.schedule_id,
        received_at=received_at,
        official=data.official.model_dump(mode="json"),
        person=data.person.model_dump(mode="json", exclude_none=True),
        identity_document=(
            data.identity_document.model_dump(mode="json") if data.identity_document else None
        ),
        recording_notice=data.recording_notice,
        matter=data.matter,
        result=data.result,
        competent_body=data.competent_body,
        written_answer_requested=data.written_answer_requested,
        note=WRITTEN_ANSWER_NOTE if data.written_answer_requested else None,
        appeal_id=appeal_id,
        created_at=now,
        created_by=principal.label,
    )
    await repository.add(session, reception)
    return reception


def _addressee(name: str, post: str | None) -> str:
    return f"{post}, {name}" if post else name


async def _link(
    session: AsyncSession,
    appeal_id: uuid.UUID,
    reception_id: uuid.UUID,
    *,
    principal: Principal,
    now: datetime,
) -> None:
    """An appeal registered separately, linked to the reception it was made at (§59)."""
    appeal = await appeals_repository.get_for_update(session, appeal_id)
    if appeal is None:
        raise NotFound("No such appeal.")
    if appeal.reception_id is not None:
        raise Conflict("The appeal is linked to another reception already (R-11.2, §59).")
    appeal.reception_id = reception_id
    await journal.record(
        session,
        appeal,
        actor=journal.Actor.of(principal),
        action="linked_to_reception",
        at=now,
        changes={"reception_id": [None, str(reception_id)]},
    )


async def get_personal(session: AsyncSession, reception_id: uuid.UUID) -> PersonalReception:
    reception = await repository.personal_reception(session, reception_id)
    if reception is None:
        raise NotFound("No such reception.")
    return reception


async def record_protocol(
    session: AsyncSession,
    intake_path: Intake,
    *,
    data: ProtocolCreate,
    principal: Principal,
    protocol_id: uuid.UUID,
) -> tuple[Protocol, list[ProtocolEntry]]:
    """R-11.3, R-1.7, §60: the protocol of a mass reception; each entry not resolved on the
    spot is registered as an oral appeal linked to the protocol, the others get no number.
    A retry (the same `protocol_id`) answers the first record, its appeals never twice."""
    if (done := await repository.protocol(session, protocol_id)) is not None:
        return done, list(await repository.protocol_entries(session, protocol_id))
    if data.schedule_id and not await repository.schedule_entry(session, data.schedule_id):
        raise NotFound("No such schedule entry.")
    protocol = Protocol(
        id=protocol_id,
        schedule_id=data.schedule_id,
        held_on=data.held_on,
        place=data.place,
        officials=[o.model_dump(mode="json") for o in data.officials],
        created_at=intake_path.now,
        created_by=principal.label,
    )
    entries = []
    for position, item in enumerate(data.entries, 1):
        appeal_id = None
        if not item.resolved_on_the_spot:
            appeal_id = await intake_path.register(
                _protocol_appeal(item, data, received_at=_held_at(data, intake_path)),
                reception_id=protocol.id,
                key=f"reception-protocol:{protocol.id}:{position}",
            )
        entries.append(_entry(protocol.id, position, item, appeal_id))
    await repository.add(session, protocol)
    await repository.add(session, *entries)
    return protocol, entries


def _held_at(data: ProtocolCreate, intake_path: Intake) -> datetime | None:
    """A protocol entered after its day: its appeals were received that day (§35)."""
    tz = intake_path.settings.tz
    if data.held_on >= intake_path.now.astimezone(tz).date():
        return None
    return datetime.combine(data.held_on, time(12), tzinfo=tz)


def _protocol_appeal(
    item: ProtocolEntryCreate, data: ProtocolCreate, *, received_at: datetime | None
) -> AppealCreate:
    """§60: the person as the protocol names them; no identity document at a mass reception."""
    last, _, first = item.name.partition(" ")
    official = data.officials[0]
    return AppealCreate(
        kind=item.kind,
        form=Form.ORAL,
        channel=Channel.MASS_RECEPTION,
        language=item.language,
        text=item.summary,
        summary=item.summary[:5000],
        applicants=[
            IndividualApplicant(
                type="individual", last_name=last, first_name=first or None, address=item.residence
            )
        ],
        addressee=_addressee(official.name, official.post),
        received_at=received_at,
    )


def _entry(
    protocol_id: uuid.UUID, position: int, item: ProtocolEntryCreate, appeal_id: uuid.UUID | None
) -> ProtocolEntry:
    return ProtocolEntry(
        id=uuid.uuid4(),
        protocol_id=protocol_id,
        position=position,
        name=item.name,
        residence=item.residence,
        summary=item.summary,
        result=item.result,
        resolved_on_the_spot=item.resolved_on_the_spot,
        appeal_id=appeal_id,
    )


async def get_protocol(
    session: AsyncSession, protocol_id: uuid.UUID
) -> tuple[Protocol, list[ProtocolEntry]]:
    protocol = await repository.protocol(session, protocol_id)
    if protocol is None:
        raise NotFound("No such protocol.")
    return protocol, list(await repository.protocol_entries(session, protocol_id))


async def list_personal(
    session: AsyncSession, *, start: datetime | None, end: datetime | None, limit: int
) -> list[PersonalReception]:
    """R-11.2: the receptions held in [start, end), the newest first."""
    return list(await repository.personal_receptions(session, start, end, limit))
