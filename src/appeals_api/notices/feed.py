"""From the outbox to the applicant (R-8.4): the worker reads the sequenced feed after a cursor
of its own (`notice_feed_cursor`) and makes, in the same transaction that moves the cursor, one
`notices` row per notice event and channel the applicant gave: `appeal.registered` is the
receipt, `appeal.applicant_notice` carries the other reasons. The unique (event, channel) admits
one row whatever happens; a second worker skips the locked cursor.

The receipt's tracking code exists in clear only in the outgoing message: intake's statement
keeps it in `notice_codes` for the worker, which deletes it as it renders the receipt; the
message is purged once the notice is sent, given up or skipped (`service`).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from appeals_api.appeals.contacts import Contacts, notice_contacts
from appeals_api.appeals.models import Appeal
from appeals_api.appeals.numbering import display_number
from appeals_api.config import Settings
from appeals_api.events import service as events_service
from appeals_api.events.models import Event
from appeals_api.notices import repository, texts
from appeals_api.notices.models import NoticeChannel, NoticeStatus
from appeals_api.notices.sms import phone_number

RECEIPT, NOTICE = "appeal.registered", "appeal.applicant_notice"
FEED_BATCH = 10_000  # feed positions looked at per run; the next run goes on from the cursor


def channels_on(settings: Settings) -> list[str]:
    """The channels configured: a notice on another is recorded as skipped."""
    on = [NoticeChannel.EMAIL.value] if settings.smtp_url is not None else []
    return on + ([NoticeChannel.SMS.value] if settings.sms_url is not None else [])


async def queue_notices(
    session: AsyncSession, settings: Settings, *, now: datetime, batch: int = FEED_BATCH
) -> int:
    """R-8.4: make the notices of newly sequenced events, once each; the number made."""
    cursor = await repository.lock_cursor(session)
    if cursor is None:
        return 0  # another worker is moving it; its rows are as good as ours
    upto = await events_service.window(session, after=cursor.position, batch=batch)
    if upto is None:
        return 0
    events = [
        e
        for type_ in (RECEIPT, NOTICE)
        for e in await events_service.sequenced(
            session, type=type_, after=cursor.position, upto=upto
        )
        if e.appeal_id is not None
    ]
    events.sort(key=lambda e: e.feed_id or 0)
    ids = list({e.appeal_id for e in events if e.appeal_id is not None})
    appeals = await repository.appeals_to_tell(session, ids)
    codes = await repository.take_codes(
        session, [e.appeal_id for e in events if e.type == RECEIPT and e.appeal_id is not None]
    )
    rows = [
        row
        for event in events
        if (appeal := appeals.get(event.appeal_id) if event.appeal_id else None) is not None
        for row in _rows(settings, event, appeal, codes, now=now)
    ]
    made = await repository.insert_notices(session, rows)  # one statement for the window
    cursor.position = upto
    await session.flush()
    return made


def _rows(
    settings: Settings,
    event: Event,
    appeal: Appeal,
    codes: dict[uuid.UUID, str],
    *,
    now: datetime,
) -> list[dict[str, Any]]:
    """The notices one event makes: a row per channel the applicant gave, or none."""
    reason = "receipt" if event.type == RECEIPT else str(event.data.get("reason"))
    contacts = notice_contacts(appeal.applicants, appeal.respond_to)
    if not contacts or reason not in texts.REASONS or _silent(appeal, reason):
        return []  # anonymous, no e-mail or phone, or not a notice to the applicant
    code = codes.get(appeal.id)
    if reason == "receipt" and code is None:
        return []  # intake kept no code: no one to tell (or registered before notices)
    facts = texts.Facts(
        display_number(appeal.year, appeal.seq), event.data, event.occurred_at, code
    )
    words = texts.render(reason, appeal.language, facts)
    on = channels_on(settings)
    rows = []
    for channel, to, subject, message in _addressed(contacts, words):
        status = NoticeStatus.PENDING if channel in on else NoticeStatus.SKIPPED
        pending = status is NoticeStatus.PENDING
        rows.append(
            {
                "appeal_id": appeal.id,
                "event_id": event.id,
                "channel": channel,
                "reason": reason,
                "language": texts.language_of(appeal.language),
                "recipient": to,
                "subject": subject if pending else None,
                "message": message if pending else None,
                "status": status.value,
                "attempts": 0,
                "next_attempt_at": now if pending else None,
                "created_at": now,
            }
        )
    return rows


def _addressed(contacts: Contacts, words: texts.Rendered) -> list[tuple[str, str, str | None, str]]:
    out: list[tuple[str, str, str | None, str]] = []
    if contacts.email:
        out.append((NoticeChannel.EMAIL.value, contacts.email, words.subject, words.email))
    if contacts.phone:
        out.append((NoticeChannel.SMS.value, phone_number(contacts.phone), None, words.sms))
    return out


def _silent(appeal: Appeal, reason: str) -> bool:
    """R-7.5 (§51): a repeat terminated after correspondence ceased is not told."""
    return reason == "terminated" and bool((appeal.disposal or {}).get("silent"))
