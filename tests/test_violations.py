"""Violations are facts (R-9.4): a stage deadline that passed unmet is recorded once — by the
deadline watch or by the first action that touches the stage — and nothing afterwards removes
it from the appeal, the card, the `overdue` filter or the statistics."""

from __future__ import annotations

import pytest_asyncio

from appeals_api.auth.roles import Role
from tests.helpers import at_tashkent
from tests.helpers.lifecycle import LEAD, Staff, make_staff
from tests.helpers.violations import (
    card_note,
    listed_as_overdue,
    routed,
    run_watch,
    stats_overdue,
    stored,
    violations,
)


@pytest_asyncio.fixture
async def staff(client, keys, make_key) -> Staff:
    return await make_staff(client, keys, make_key)


def _noted(history: list[dict[str, object]], rule: str) -> int:
    return sum(
        1
        for h in history
        if h["action"] == "deadline_violated"
        and (h["changes"]["violations"][1] or {}).get("rule") == rule  # type: ignore[index]
    )


async def test_R_9_4_a_withdrawal_after_a_missed_deadline_keeps_the_violation(client, staff, clock):
    w = await routed(client, staff, clock, 5, 4)
    assert w.deadline("answer")["due_on"] == "2026-05-19"
    w.at(5, 21)
    await w.act(Role.REGISTRAR, "withdraw", {"received_on": "2026-05-21"})
    appeal = await w.read()
    assert appeal["status"] == "withdrawn" and appeal["answer_rule"] == "withdrawal_answer"
    assert appeal["overdue"] is True and await listed_as_overdue(w, "2026-05-04")
    assert violations(appeal) == [("answer", "2026-05-19")]  # recorded by the withdrawal
    assert appeal["violations"][0]["units"] == [LEAD]
    note = await card_note(w) or ""
    assert "2026-05-19" in note and "cancelled on 2026-05-21" in note
    assert await stats_overdue(w, "2026-05-04") == 1
    # The written answer to the withdrawal, in time, leaves the violation where it is.
    await w.act(Role.MANAGER, "sign")  # the deputy chairman signs the answer (§51, R-7.3)
    await w.act(Role.REGISTRAR, "send", {"letter_number": "07-15/9"})
    appeal = await w.read()
    assert violations(appeal) == [("answer", "2026-05-19")] and appeal["overdue"] is True
    assert "2026-05-19" in (await card_note(w) or "")
    assert await stats_overdue(w, "2026-05-04") == 1


async def test_R_9_4_the_watch_then_an_action_record_one_violation(client, settings, staff, clock):
    w = await routed(client, staff, clock, 5, 5)
    assert w.deadline("answer")["due_on"] == "2026-05-20"
    w.at(5, 21)
    await run_watch(settings, at_tashkent(2026, 5, 21, 9))
    assert await stored(settings, w.id) == [("answer", "2026-05-20", "deadline watch")]
    await w.answer()  # sent on 2026-05-21: met late, the same violation
    assert await stored(settings, w.id) == [("answer", "2026-05-20", "deadline watch")]
    assert _noted(await w.history(), "answer") == 1
    appeal = await w.read()
    assert violations(appeal) == [("answer", "2026-05-20")] and appeal["overdue"] is True


async def test_R_9_4_an_action_then_the_watch_record_one_violation(client, settings, staff, clock):
    w = await routed(client, staff, clock, 5, 6)
    assert w.deadline("answer")["due_on"] == "2026-05-21"
    w.at(5, 22)
    # A study decision too late to move the deadline records its violation ...
    await w.act(
        Role.MANAGER, "resolve", {"units": [LEAD], "instruction": "Verify.", "study_required": True}
    )
    assert await stored(settings, w.id) == [("answer", "2026-05-21", "resolve")]
    # ...and the watch, which still sees the stage open past due, adds none.
    await run_watch(settings, at_tashkent(2026, 5, 22, 12))
    await run_watch(settings, at_tashkent(2026, 5, 25, 12))
    assert await stored(settings, w.id) == [("answer", "2026-05-21", "resolve")]
    assert _noted(await w.history(), "answer") == 1


async def test_R_9_4_an_answer_sent_late_is_recorded_without_the_watch(client, staff, clock):
    w = await routed(client, staff, clock, 6, 1)
    assert w.deadline("answer")["due_on"] == "2026-06-16"
    w.at(6, 18)
    await w.answer()
    appeal = await w.read()
    assert violations(appeal) == [("answer", "2026-06-16")]
    assert appeal["violations"][0]["recorded_at"].startswith("2026-06-18T")
    assert appeal["overdue"] is True and await listed_as_overdue(w, "2026-06-01")
    assert "by 2 days" in (await card_note(w) or "")
    # In lists too.
    page = await client.get(
        "/api/v1/appeals",
        params={"received_from": "2026-06-01", "received_to": "2026-06-01"},
        headers={"Authorization": f"Bearer {staff.keys[Role.SUPERVISOR]}"},
    )
    listed = {a["id"]: a for a in page.json()["items"]}
    assert violations(listed[w.id]) == [("answer", "2026-06-16")]
