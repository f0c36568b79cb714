"""Reading letters (R-6.4): as the appeal is read — executors only those of their units'
appeals, a confidential applicant's identity only to those who may see it (R-8.2)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from appeals_api.appeals import access
from appeals_api.appeals.enums import LetterKind
from appeals_api.appeals.letters import repository
from appeals_api.appeals.letters.schemas import LetterRead
from appeals_api.appeals.models import Appeal, Letter
from appeals_api.appeals.numbering import display_number
from appeals_api.appeals.privacy import service as privacy
from appeals_api.auth.roles import Principal
from appeals_api.errors import NotFound
from appeals_api.rows import from_row

NO_SUCH_LETTER = "No such letter."


@dataclass(frozen=True)
class Reader:
    """Who reads, when, in which time zone."""

    principal: Principal
    now: datetime
    tz: ZoneInfo


@dataclass(frozen=True)
class Found:
    """One letter, its appeal, and the letter as this reader may see it."""

    letter: Letter
    appeal: Appeal
    read: LetterRead
    received_on: date  # the appeal's receipt, Tashkent date: the letters cite it


def shows_addressee(personal: bool, letter: Letter) -> bool:
    """A forwarding letter goes to an organisation; every other one to the applicant (§41)."""
    return personal or letter.kind is LetterKind.FORWARD


def as_read(letter: Letter, appeal: Appeal, *, personal: bool, tz: ZoneInfo) -> LetterRead:
    return from_row(
        LetterRead,
        letter,
        appeal_number=display_number(appeal.year, appeal.seq),
        addressee=letter.addressee if shows_addressee(personal, letter) else None,
        drafted_at=letter.drafted_at.astimezone(tz),
    )


async def letters_of(session: AsyncSession, appeal: Appeal, reader: Reader) -> list[LetterRead]:
    """R-6.4: every letter of an appeal within the reader's reach, in drafting order."""
    personal = privacy.sees_personal_data(reader.principal, appeal)
    letters = await repository.letters_of(session, appeal.id)
    if any(x.addressee for x in letters):
        await _record(session, appeal, reader, via="letters")
    return [as_read(x, appeal, personal=personal, tz=reader.tz) for x in letters]


async def letter(session: AsyncSession, letter_id: int, reader: Reader, *, via: str) -> Found:
    """R-6.4: one letter, 404 where its appeal is outside the reader's reach."""
    found = await repository.get(session, letter_id)
    if found is None:
        raise NotFound(NO_SUCH_LETTER)
    try:
        appeal = await access.get_visible(
            session, appeal_id=found.appeal_id, principal=reader.principal
        )
    except NotFound:
        raise NotFound(NO_SUCH_LETTER) from None
    personal = privacy.sees_personal_data(reader.principal, appeal)
    if found.addressee:
        await _record(session, appeal, reader, via=via)
    read = as_read(found, appeal, personal=personal, tz=reader.tz)
    return Found(found, appeal, read, appeal.received_at.astimezone(reader.tz).date())


async def _record(session: AsyncSession, appeal: Appeal, reader: Reader, *, via: str) -> None:
    """R-8.2: a confidential applicant's name on a letter shown is a read of their data."""
    await privacy.record_reads(
        session, principal=reader.principal, appeals=[appeal], via=via, now=reader.now
    )
