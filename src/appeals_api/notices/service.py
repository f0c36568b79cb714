"""Delivery of the applicant's notices (R-8.4) through the shared outbound core: e-mail over
SMTP, SMS through the HTTP gateway; each attempt recorded (count, outcome, backoff), `failed`
after the last one, never dropped. A sender holds the notices it claimed locked (FOR UPDATE SKIP
LOCKED) until their attempts are recorded, so two workers never send the same one; the rendered
words are purged once a notice is sent or given up (a receipt's carries the tracking code).
"""

from __future__ import annotations

import logging
from datetime import datetime
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from appeals_api import outbound
from appeals_api.appeals.models import Appeal
from appeals_api.clock import Clock
from appeals_api.config import Settings
from appeals_api.notices import feed, repository, sms, smtp
from appeals_api.notices.models import Notice, NoticeChannel, NoticeStatus
from appeals_api.notices.schemas import NoticeRead

logger = logging.getLogger("appeals_api.notices")

BATCH = 20

LANE: outbound.Lane[Notice] = outbound.Lane(
    logger=logger,
    statuses={
        outbound.Verdict.DELIVERED: NoticeStatus.SENT.value,
        outbound.Verdict.RETRY: NoticeStatus.PENDING.value,
        outbound.Verdict.DEAD: NoticeStatus.FAILED.value,
    },
    messages={
        outbound.Verdict.DELIVERED: "notice sent",
        outbound.Verdict.RETRY: "notice failed, to be retried",
        outbound.Verdict.DEAD: "notice failed for the last time",
    },
    log_fields=lambda n: {"notice_id": n.id, "appeal_id": str(n.appeal_id), "channel": n.channel},
)


def retry_policy(settings: Settings) -> outbound.RetryPolicy:
    return outbound.RetryPolicy(
        base=settings.notice_backoff_base_seconds,
        cap=settings.notice_backoff_max_seconds,
        max_attempts=settings.notice_max_attempts,
    )


async def deliver_batch(
    session: AsyncSession, client: httpx.AsyncClient, settings: Settings, *, clock: Clock
) -> outbound.BatchResult:
    """Claim due notices of the channels that are on, send them, record each outcome."""
    claimed = await repository.claim_due(
        session, now=clock(), channels=feed.channels_on(settings), batch=BATCH
    )

    async def send(notice: Notice) -> outbound.Outcome:
        return await _send(client, settings, notice)

    result = await outbound.deliver_batch(
        session,
        claimed=claimed,
        row=lambda n: n,
        send=send,
        lane=LANE,
        policy=retry_policy(settings),
        clock=clock,
    )
    for notice in claimed:
        if notice.status != NoticeStatus.PENDING.value:
            notice.subject = notice.message = None  # sent or given up: the words go
    await session.flush()
    return result


async def _send(client: httpx.AsyncClient, settings: Settings, notice: Notice) -> outbound.Outcome:
    assert notice.message is not None  # a pending notice keeps its words
    seconds = settings.notice_timeout_seconds
    if notice.channel == NoticeChannel.EMAIL.value:
        assert settings.smtp_url is not None  # claimed only while e-mail is on
        mail = smtp.Mail(
            sender=settings.mail_from,
            to=notice.recipient,
            subject=notice.subject or "",
            body=notice.message,
            message_id=f"<notice-{notice.id}@appeals-api>",
        )
        server = smtp.Server.of(settings.smtp_url.get_secret_value())
        return await smtp.send(server, mail, seconds=seconds)
    assert settings.sms_url is not None  # claimed only while SMS is on
    token = settings.sms_token.get_secret_value() if settings.sms_token else None
    return await sms.send(
        client,
        settings.sms_url,
        to=notice.recipient,
        text=notice.message,
        key=f"appeals-notice-{notice.id}",
        token=token,
        seconds=seconds,
    )


async def notices_of(session: AsyncSession, appeal: Appeal, *, tz: ZoneInfo) -> list[NoticeRead]:
    """R-8.4: each notice's delivery, without its words or where it went."""
    return [_read(n, tz) for n in await repository.of_appeal(session, appeal.id)]


def _read(n: Notice, tz: ZoneInfo) -> NoticeRead:
    def local(at: datetime | None) -> datetime | None:
        return at.astimezone(tz) if at is not None else None

    return NoticeRead(
        id=n.id,
        event_id=n.event_id,
        channel=NoticeChannel(n.channel),
        reason=n.reason,
        language=n.language,
        status=NoticeStatus(n.status),
        attempts=n.attempts,
        last_error=n.last_error,
        created_at=n.created_at.astimezone(tz),
        last_attempt_at=local(n.last_attempt_at),
        next_attempt_at=local(n.next_attempt_at),
        sent_at=local(n.delivered_at),
    )
