"""Applicants notified (R-8.4): after intake and after each way out or the response, an e-mail
and an SMS in the appeal's language reach a real SMTP server and a real HTTP SMS gateway on
127.0.0.1, delivered by the worker from the outbox, once, with retries recorded."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from typing import Any

import pytest
import pytest_asyncio
from sqlalchemy import func, select

from appeals_api.auth.roles import Role
from appeals_api.clock import FrozenClock
from appeals_api.config import Settings
from appeals_api.events import service as events_service
from appeals_api.notices import feed as notice_feed
from appeals_api.notices import repository as notice_repository
from appeals_api.notices.models import Notice, NoticeCode
from tests.helpers import auth
from tests.helpers.common import KeyMaker, at_tashkent
from tests.helpers.lifecycle import LEAD, Staff, Walk, make_staff, start
from tests.helpers.notices import Mailbox, Notifying, body_of, configured, gateway, notifying_app
from tests.helpers.webhooks import Receiver

EMAIL, PHONE, SMS_TO = "karimov@example.uz", "+998 90 123-45-67", "+998901234567"


def applicant(**more: Any) -> dict[str, Any]:
    return {
        "type": "individual",
        "last_name": "Karimov",
        "first_name": "Aziz",
        "address": "Almalyk, Navoi street 5",
        "email": EMAIL,
        "phone": PHONE,
        **more,
    }


@pytest.fixture
def sms_gateway() -> Iterator[Receiver]:
    receiver = gateway().start()
    yield receiver
    receiver.stop()


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    box = Mailbox()
    yield box
    box.stop()


@pytest_asyncio.fixture
async def n(
    settings: Settings, clock: FrozenClock, mailbox: Mailbox, sms_gateway: Receiver
) -> AsyncIterator[Notifying]:
    clock.set(at_tashkent(2026, 3, 2))  # a Monday
    wired = configured(settings, mailbox, sms_gateway)
    async with notifying_app(wired, clock, mailbox, sms_gateway) as notifying:
        yield notifying


@pytest_asyncio.fixture
async def staff(n: Notifying, keys: dict[Role, str], make_key: KeyMaker) -> Staff:
    return await make_staff(n.client, keys, make_key)


async def notices(n: Notifying, staff: Staff, appeal_id: str) -> list[dict[str, Any]]:
    r = await n.client.get(
        f"/api/v1/appeals/{appeal_id}/notices", headers=auth(staff.key(Role.REGISTRAR))
    )
    assert r.status_code == 200, r.text
    items: list[dict[str, Any]] = r.json()["items"]
    return items


async def rows(n: Notifying, appeal_id: str) -> list[Notice]:
    async with n.app.state.sessionmaker() as session:
        found = await session.scalars(
            select(Notice).where(Notice.appeal_id == uuid.UUID(appeal_id)).order_by(Notice.id)
        )
        return list(found)


@pytest.mark.parametrize(
    ("language", "words"),
    [("ru", "зарегистрировано 02.03.2026"), ("uz-Cyrl", "02.03.2026 куни")],
)
async def test_R_8_4_after_intake_an_email_and_an_sms_arrive_in_the_appeals_language(
    n: Notifying, staff: Staff, language: str, words: str
):
    n.mailbox.start()
    w = await start(n.client, staff, n.clock, language=language, applicants=[applicant()])
    number, code = w.appeal["number"], w.appeal["tracking_code"]
    assert (await n.run())["delivered"] == 2

    [mail] = n.mailbox.to(EMAIL)
    assert number in mail["Subject"] and mail["From"] == "murojaat@almalyk.test"
    body = body_of(mail)
    assert words in body and number in body and code in body
    [sms] = n.sms_to(SMS_TO)
    assert words in sms["text"] and number in sms["text"] and code in sms["text"]

    shown = await notices(n, staff, w.id)
    assert [(x["channel"], x["reason"], x["status"], x["attempts"]) for x in shown] == [
        ("email", "receipt", "sent", 1),
        ("sms", "receipt", "sent", 1),
    ]
    assert all(x["language"] == language and x["sent_at"].endswith("+05:00") for x in shown)
    assert not any(code in str(x) for x in shown)  # the staff's list never shows the words
    # The code is kept in clear nowhere once the receipt is sent (R-8.1: only its hash).
    assert all(r.message is None and r.subject is None for r in await rows(n, w.id))
    async with n.app.state.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(NoticeCode)) == 0


async def test_R_8_4_after_send_the_response_notice_arrives_with_how_to_appeal(
    n: Notifying, staff: Staff
):
    n.mailbox.start()
    w: Walk = await start(n.client, staff, n.clock, language="ru", applicants=[applicant()])
    code = w.appeal["tracking_code"]
    await w.route(LEAD)
    w.at(3, 10)
    await w.answer("rejected", grounds="Within the limits.")
    await n.run()
    number = w.appeal["number"]
    # Delivered concurrently: told apart by content (the receipt alone carries the code).
    [response] = [m for m in n.mailbox.to(EMAIL) if code not in body_of(m)]
    text = body_of(response)
    assert number in text and "Ответ на ваше обращение" in text
    assert "отказано" in text.lower() or "отклонено" in text.lower()
    assert "обжаловать" in text and "в суд" in text
    reasons = [(x["channel"], x["reason"], x["status"]) for x in await notices(n, staff, w.id)]
    assert ("email", "response_sent", "sent") in reasons
    assert ("sms", "response_sent", "sent") in reasons
    [sms] = [m for m in n.sms_to(SMS_TO) if code not in m["text"]]  # not the receipt
    assert "обжаловать" in sms["text"]


async def test_R_8_4_nothing_for_an_anonymous_appeal(n: Notifying, staff: Staff):
    n.mailbox.start()
    anonymous = {"type": "individual", "email": EMAIL, "phone": PHONE}
    w = await start(n.client, staff, n.clock, applicants=[anonymous])
    assert (await n.run())["queued"] == 0
    assert n.mailbox.messages == [] and n.gateway.snapshot() == []
    assert await notices(n, staff, w.id) == []
    async with n.app.state.sessionmaker() as session:  # nor was its code kept for a receipt
        assert await session.scalar(select(func.count()).select_from(NoticeCode)) == 0


async def test_R_8_4_smtp_down_is_retried_with_backoff_then_delivered_exactly_once(
    n: Notifying, staff: Staff
):
    w = await start(n.client, staff, n.clock, applicants=[applicant()])
    await n.run()  # the SMTP server is down: the e-mail fails, the SMS goes
    [email, sms] = await rows(n, w.id)
    assert (email.status, email.attempts, sms.status) == ("pending", 1, "sent")
    assert email.last_error and email.next_attempt_at == n.clock() + timedelta(seconds=10)
    assert email.message is not None  # kept for the next attempt
    n.clock.set(n.clock() + timedelta(seconds=5))
    await n.run()  # not due yet
    assert (await rows(n, w.id))[0].attempts == 1

    n.clock.set(n.clock() + timedelta(seconds=5))
    n.mailbox.start()
    await asyncio.gather(n.run(), n.run())  # two workers at once
    await n.run()
    assert len(n.mailbox.to(EMAIL)) == 1 and len(n.sms_to(SMS_TO)) == 1
    [email, _] = await rows(n, w.id)
    assert (email.status, email.attempts, email.message) == ("sent", 2, None)
    assert w.appeal["tracking_code"] in body_of(n.mailbox.to(EMAIL)[0])


async def test_R_8_4_a_notice_given_up_is_recorded_failed_never_dropped(n: Notifying, staff: Staff):
    n.settings = n.settings.model_copy(update={"notice_max_attempts": 2})
    w = await start(n.client, staff, n.clock, applicants=[applicant(phone=None)])
    await n.run()
    n.clock.set(n.clock() + timedelta(seconds=10))
    await n.run()
    [shown] = await notices(n, staff, w.id)
    assert (shown["status"], shown["attempts"], shown["sent_at"]) == ("failed", 2, None)
    assert shown["last_error"] and shown["next_attempt_at"] is None
    [row] = await rows(n, w.id)
    assert row.message is None  # given up: the words (with the code) are gone


async def test_R_8_4_R_7_5_a_silent_termination_sends_nothing(n: Notifying, staff: Staff):
    n.mailbox.start()
    first = await start(n.client, staff, n.clock, applicants=[applicant()])
    await first.route(LEAD)
    first.at(3, 10)
    await first.answer("rejected", grounds="Within the limits.")
    ref = {"relation": "repeat", "year": first.appeal["year"], "number": first.appeal["seq"]}
    second = await start(n.client, staff, n.clock, applicants=[applicant()], related=ref)
    body = {"ground": "repeat_without_new_arguments", "conclusion": "No new arguments (§50)."}
    await second.act(Role.MANAGER, "terminate", body)
    await second.act(Role.REGISTRAR, "send", {"letter_number": "07-15/700"})
    ref = {"relation": "repeat", "year": second.appeal["year"], "number": second.appeal["seq"]}
    third = await start(n.client, staff, n.clock, applicants=[applicant()], related=ref)
    await third.act(Role.MANAGER, "terminate", body)
    assert third.appeal["disposal"]["silent"] is True
    await n.run()

    told = [x["reason"] for x in await notices(n, staff, second.id) if x["channel"] == "email"]
    assert told == ["receipt", "terminated"]  # the applicant told once it is unfounded (§51)
    assert [x["reason"] for x in await notices(n, staff, third.id)] == ["receipt", "receipt"]
    third_number = third.appeal["number"]
    about_third = [m for m in n.mailbox.to(EMAIL) if third_number in m["Subject"]]
    assert len(about_third) == 1  # its receipt only


async def test_R_8_4_the_answer_to_a_withdrawal_is_notified(n: Notifying, staff: Staff):
    """§17: the applicant who withdrew is told the written answer went out."""
    n.mailbox.start()
    w = await start(n.client, staff, n.clock, language="uz", applicants=[applicant()])
    code = w.appeal["tracking_code"]
    await w.out_by_letter("withdraw", {"received_on": "2026-03-02"})
    await n.run()
    [answer] = [m for m in n.mailbox.to(EMAIL) if code not in body_of(m)]
    assert len(n.mailbox.to(EMAIL)) == 2
    assert w.appeal["number"] in body_of(answer)
    assert "qaytarib olish" in body_of(answer) and "17-bandi" in body_of(answer)
    reasons = [x["reason"] for x in await notices(n, staff, w.id) if x["channel"] == "sms"]
    assert reasons == ["receipt", "withdrawal_answered"]


async def test_issue19_2_an_sms_backlog_does_not_hold_up_the_emails(n: Notifying, staff: Staff):
    """A batch is shared between the channels: with older SMS notices due than a batch holds
    (a gateway that hangs leaves them so), the next batch still takes an e-mail."""
    for _ in range(3):  # SMS only, the older ones
        await start(n.client, staff, n.clock, applicants=[applicant(email=None)])
    await start(n.client, staff, n.clock, applicants=[applicant(phone=None)])
    async with n.app.state.sessionmaker() as session, session.begin():
        await events_service.sequence_pending(session)
        assert await notice_feed.queue_notices(session, n.settings, now=n.clock()) == 4
        claimed = await notice_repository.claim_due(
            session, now=n.clock(), channels=["email", "sms"], batch=2
        )
    assert sorted(c.channel for c in claimed) == ["email", "sms"]
