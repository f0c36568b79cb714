"""The deadline watch (R-9.1, R-9.3): reminders before a stage deadline and one overdue notice
per appeal, rule and due date — however often it runs, and with two runs at once."""

from __future__ import annotations

import asyncio
from datetime import date

import pytest
import pytest_asyncio
from sqlalchemy import select

from appeals_api.auth.roles import Role
from appeals_api.config import Settings
from appeals_api.control import service
from appeals_api.control.models import DeadlineNotice
from appeals_api.db import make_engine, make_sessionmaker
from appeals_api.events.models import Event
from tests.helpers import at_tashkent
from tests.helpers.lifecycle import LEAD, Staff, make_staff, start


@pytest_asyncio.fixture
async def staff(client, keys, make_key) -> Staff:
    return await make_staff(client, keys, make_key)


@pytest_asyncio.fixture
async def maker(settings: Settings):
    engine = make_engine(settings)
    yield make_sessionmaker(engine)
    await engine.dispose()


async def _run(maker, settings, when) -> service.WatchResult:
    async with maker() as session, session.begin():
        return await service.watch(session, settings, now=when)


async def _events(maker, appeal_id: str, type_: str) -> list[dict[str, object]]:
    async with maker() as session:
        rows = await session.scalars(
            select(Event)
            .where(Event.appeal_id == appeal_id, Event.type == type_)
            .order_by(Event.id)
        )
        return [e.data for e in rows]


@pytest.mark.parametrize(
    ("days_left", "expected"),
    [(5, None), (4, None), (3, 3), (2, 3), (1, 1), (0, 1)],
)
def test_R_9_1_reminder_marks_follow_the_policy(days_left, expected):
    assert service.reminder_for(days_left, [1, 3]) == expected


async def test_R_9_1_overdue_once_per_appeal_rule_and_due_date(
    client, staff, clock, maker, settings
):
    clock.set(at_tashkent(2026, 2, 5))  # a Thursday
    w = await start(client, staff, clock)
    due = w.appeal["due_date"]
    assert due == "2026-02-20"  # 15 days
    # The answer is not yet due on its last day (the registration stage is: never resolved).
    await _run(maker, settings, at_tashkent(2026, 2, 20, 17))
    assert [e["rule"] for e in await _events(maker, w.id, "appeal.overdue")] == ["registration"]
    # Past due, three runs, two of them at once: one notice.
    later = at_tashkent(2026, 2, 21, 9)
    await asyncio.gather(_run(maker, settings, later), _run(maker, settings, later))
    await _run(maker, settings, later)
    overdue = await _events(maker, w.id, "appeal.overdue")
    assert {"rule": "answer", "due_date": due} in overdue
    assert overdue.count({"rule": "answer", "due_date": due}) == 1
    # The registration stage (1 working day) was missed as well, once.
    assert [e["rule"] for e in overdue].count("registration") == 1
    # the violation is noted on the appeal.
    notes = [h for h in await w.history() if h["action"] == "deadline_violated"]
    assert len(notes) == 2 and all(h["actor_role"] == "system" for h in notes)
    assert any("answer deadline of 2026-02-20" in h["note"] for h in notes)
    async with maker() as session:
        notices = (
            await session.scalars(select(DeadlineNotice).where(DeadlineNotice.appeal_id == w.id))
        ).all()
    assert sorted((n.rule, n.kind) for n in notices if n.kind == "overdue") == [
        ("answer", "overdue"),
        ("registration", "overdue"),
    ]


async def test_R_9_1_extended_or_met_in_time_publishes_nothing_overdue(
    client, staff, clock, maker, settings
):
    clock.set(at_tashkent(2026, 2, 5))  # due 2026-02-20
    met = await start(client, staff, clock)
    extended = await start(client, staff, clock)
    for w in (met, extended):
        await w.route(LEAD)
    met.at(2, 16)
    await met.answer()
    await extended.act(
        Role.MANAGER, "extend", {"due_date": "2026-03-13", "reason": "Laboratory tests."}
    )
    await _run(maker, settings, at_tashkent(2026, 2, 24))
    assert await _events(maker, met.id, "appeal.overdue") == []
    assert await _events(maker, extended.id, "appeal.overdue") == []
    # The new deadline passes too: one notice, for the new date.
    await _run(maker, settings, at_tashkent(2026, 3, 14))
    await _run(maker, settings, at_tashkent(2026, 3, 15))
    assert await _events(maker, extended.id, "appeal.overdue") == [
        {"rule": "answer", "due_date": "2026-03-13"}
    ]


async def test_R_9_1_reminders_three_and_one_working_days_before(
    client, staff, clock, maker, settings
):
    clock.set(at_tashkent(2026, 4, 6))  # Monday
    w = await start(client, staff, clock)
    assert w.appeal["due_date"] == "2026-04-21"  # Tuesday
    await w.route(LEAD)

    async def reminders():
        return [
            (e["rule"], e["working_days_left"])
            for e in await _events(maker, w.id, "appeal.deadline_approaching")
            if e["rule"] == "answer"
        ]

    await _run(maker, settings, at_tashkent(2026, 4, 15))  # Wednesday: 4 working days left
    assert await reminders() == []
    await _run(maker, settings, at_tashkent(2026, 4, 16))  # Thursday: 3 left
    await _run(maker, settings, at_tashkent(2026, 4, 17))  # Friday: 2 left, 3-day mark done
    assert await reminders() == [("answer", 3)]
    await _run(maker, settings, at_tashkent(2026, 4, 20))  # Monday: 1 left
    await _run(maker, settings, at_tashkent(2026, 4, 20, 15))
    assert await reminders() == [("answer", 3), ("answer", 1)]


async def test_R_9_1_a_stage_born_inside_its_window_is_reminded_of_on_its_due_day_only(
    client, staff, clock, maker, settings
):
    """Issue 19 (10): every new appeal's one-working-day registration stage is born inside the
    reminder window; a reminder at birth doubled the events for nothing. It gets one reminder,
    on its due day if it is still open, and never a late "3 days before"."""
    clock.set(at_tashkent(2026, 6, 5))  # Friday
    w = await start(client, staff, clock)
    registration = next(d for d in w.appeal["deadlines"] if d["rule"] == "registration")
    assert date.fromisoformat(registration["due_on"]) == date(2026, 6, 8)  # next working day

    async def reminded() -> list[int]:
        return [
            e["working_days_left"]
            for e in await _events(maker, w.id, "appeal.deadline_approaching")
            if e["rule"] == "registration"
        ]

    await _run(maker, settings, at_tashkent(2026, 6, 5, 11))
    assert await reminded() == []  # not at birth
    await _run(maker, settings, at_tashkent(2026, 6, 8, 10))
    assert await reminded() == [0]  # on its due day, once
