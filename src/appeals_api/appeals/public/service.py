"""The applicant's status by number and tracking code (R-8.1): one answer for JSON and page.

Guessing is hopeless rather than locked out: a code is 12 letters of 32 (60 bits, 2^60 ≈ 1.15e18
codes), so an address allowed 30 tries a minute expects a hit on one appeal after 2^59 / 30 ≈
1.9e16 minutes, some 36 billion years. Only the guesser's address is limited; nothing a
stranger does counts against the appeal's number, so the holder of the code is never locked
out."""

from __future__ import annotations

import hashlib
import hmac
import re
import uuid
from datetime import tzinfo

from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession

from appeals_api import i18n
from appeals_api.appeals import repository as appeals_repository
from appeals_api.appeals.enums import Status
from appeals_api.appeals.numbering import display_number
from appeals_api.appeals.public.schemas import PublicDeadline, PublicStatus
from appeals_api.appeals.tracking import hash_tracking_code
from appeals_api.errors import NotFound
from appeals_api.ratelimit import Limit, client_address
from appeals_api.state import state_of

# One message for an unknown number and a wrong code: neither says the number exists.
NOT_FOUND = "No appeal with this number and code."

# Compared against when the number is unknown, so both misses cost the same.
_DUMMY_HASH = hashlib.sha256(b"no such appeal").hexdigest()


# As printed on the receipt: "123/26" (also "№ 123/26", "123/2026").
_NUMBER = re.compile(r"^\s*(?:№|N|No\.?)?\s*(\d{1,8})\s*/\s*(\d{2}|\d{4})\s*$", re.IGNORECASE)
_CODE = re.compile(r"^[A-Za-z0-9]{1,64}$")


def parse_number(text: str) -> tuple[int, int] | None:
    """(year, seq) of a typed registration number, None when it is not one."""
    match = _NUMBER.match(text)
    if match is None:
        return None
    seq, year = int(match[1]), int(match[2])
    year = 2000 + year if year < 100 else year
    return (year, seq) if 1991 <= year <= 2200 and seq >= 1 else None


def normalise_code(text: str) -> str | None:
    """The code as typed, without the spaces and dashes people add to read it; None if it
    cannot be one."""
    code = re.sub(r"[\s-]", "", text)
    return code.upper() if _CODE.match(code) else None


async def limit_lookup(request: Request) -> None:
    """Per client address (X-Forwarded-For believed only from a trusted proxy): 429 beyond."""
    app = state_of(request)
    settings = app.settings
    await app.limiter.hit(
        Limit("lookup-address", settings.public_lookups_per_address_per_minute, 60),
        client_address(request, settings.trusted_networks),
        now=app.clock().timestamp(),
    )


async def status_of(
    session: AsyncSession, *, year: int, seq: int, code: str, tz: tzinfo, lang: str
) -> PublicStatus:
    """The applicant's view, its labels in `lang`: a wrong code looks like no appeal (R-8.1)."""
    appeal = await appeals_repository.find_by_number(session, year=year, seq=seq)
    stored = appeal.tracking_code_hash if appeal is not None else _DUMMY_HASH
    offered = hash_tracking_code(appeal.id if appeal else uuid.UUID(int=0), code.strip().upper())
    if not hmac.compare_digest(offered, stored) or appeal is None:
        raise NotFound(NOT_FOUND)
    t = i18n.translator(lang)
    deadlines = (await appeals_repository.deadlines_of(session, [appeal.id]))[appeal.id]
    return PublicStatus(
        number=display_number(appeal.year, appeal.seq),
        status=Status(appeal.status),
        received_on=appeal.received_at.astimezone(tz).date(),
        registered_on=appeal.registered_on,
        due_date=appeal.due_date,
        completed_on=appeal.completed_on,
        outcome=appeal.outcome,
        deadlines=[
            PublicDeadline(
                rule=d.rule,
                due_on=d.due_on,
                done_on=d.done_on,
                rule_label=t.pgettext("stage", d.rule),
            )
            for d in deadlines
        ],
        language=t.lang,
        status_label=t.label(appeal.status),
        outcome_label=t.label(appeal.outcome) if appeal.outcome else None,
    )
