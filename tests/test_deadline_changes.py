"""Lawful deadline changes (R-3.4, §36, §38): one extension per appeal, of the answer deadline
only, before it passes, to at most a month past the legal deadline; a shortening never into
the past; a study decision after the 15 days keeps the deadline and its violation (R-9.4)."""

from __future__ import annotations

import pytest_asyncio

from appeals_api.auth.roles import Role
from tests.helpers import at_tashkent
from tests.helpers.lifecycle import LEAD, Staff, make_staff, start
from tests.helpers.violations import (
    card_note,
    listed_as_overdue,
    routed,
    run_watch,
    stats_overdue,
    violations,
)


@pytest_asyncio.fixture
async def staff(client, keys, make_key) -> Staff:
    return await make_staff(client, keys, make_key)


def _extend(due: str, **more: str) -> dict[str, str]:
    return {"due_date": due, "reason": "An inspection of the site is needed.", **more}


async def test_R_3_4_one_extension_per_appeal_the_second_and_third_are_refused(
    client, staff, clock
):
    w = await routed(client, staff, clock, 4, 6)
    assert w.deadline("answer")["due_on"] == "2026-04-21"
    w.at(4, 10)
    await w.act(Role.MANAGER, "extend", _extend("2026-05-21"))
    for due in ("2026-05-22", "2026-06-19"):
        problem = await w.act(Role.MANAGER, "extend", _extend(due), expect=409)
        # "one extension", in uz: problems speak the default language unless asked (API.md)
        assert "§36" in problem["detail"] and "bir marta uzaytirish" in problem["detail"]
        assert "R-3.4" in problem["detail"]
    appeal = await w.read()
    assert appeal["due_date"] == "2026-05-21"
    assert w.deadline("answer")["original_due_on"] == "2026-04-21"
    assert [h["action"] for h in await w.history()].count("extend") == 1


async def test_R_3_4_a_retroactive_extension_is_refused_and_the_violation_stays(
    client, settings, staff, clock
):
    w = await routed(client, staff, clock, 4, 7)
    assert w.deadline("answer")["due_on"] == "2026-04-22"
    w.at(4, 27)
    problem = await w.act(Role.MANAGER, "extend", _extend("2026-05-20"), expect=409)
    assert "§36" in problem["detail"] and "R-3.4" in problem["detail"]
    assert "22.04.2026" in problem["detail"]  # the date as offices write it
    # Overdue everywhere, from the lawful deadline, before the watch has run...
    appeal = await w.read()
    assert appeal["due_date"] == "2026-04-22" and appeal["overdue"] is True
    assert await listed_as_overdue(w, "2026-04-07")
    assert "2026-04-22" in (await card_note(w) or "")
    assert await stats_overdue(w, "2026-04-07") == 1
    # ...and recorded once it has; asking again changes nothing.
    await run_watch(settings, at_tashkent(2026, 4, 27, 12))
    await w.act(Role.MANAGER, "extend", _extend("2026-05-20"), expect=409)
    appeal = await w.read()
    assert violations(appeal) == [("answer", "2026-04-22")]
    assert appeal["violations"][0]["units"] == [LEAD]
    assert appeal["overdue"] is True and await listed_as_overdue(w, "2026-04-07")
    assert "2026-04-22" in (await card_note(w) or "")
    assert await stats_overdue(w, "2026-04-07") == 1


async def test_R_3_4_the_registration_and_dispatch_stages_are_not_extendable(client, staff, clock):
    clock.set(at_tashkent(2026, 4, 8))
    w = await start(client, staff, clock)
    assert w.deadline("registration")["due_on"] == "2026-04-09"
    problem = await w.act(
        Role.MANAGER, "extend", _extend("2026-05-08", rule="registration"), expect=422
    )
    assert "§36" in problem["detail"] and "registration" in problem["detail"]
    await w.act(Role.MANAGER, "resolve", {"units": [LEAD], "instruction": "Answer."})
    problem = await w.act(
        Role.MANAGER, "extend", _extend("2026-05-08", rule="dispatch"), expect=422
    )
    assert "R-3.4" in problem["detail"] and "dispatch" in problem["detail"]
    appeal = await w.read()
    assert w.deadline("registration")["due_on"] == "2026-04-09"
    assert w.deadline("dispatch")["due_on"] == "2026-04-09"
    assert "extend" not in [h["action"] for h in await w.history()]
    assert appeal["due_date"] == "2026-04-23"


async def test_R_3_4_at_most_one_month_past_the_legal_deadline_not_the_current_one(
    client, staff, clock
):
    w = await routed(client, staff, clock, 4, 9)
    assert w.deadline("answer")["due_on"] == "2026-04-24"  # the legal deadline (§36)
    w.at(4, 10)
    await w.act(Role.MANAGER, "shorten", {"due_date": "2026-04-20", "reason": "Urgent."})
    # A month past the legal deadline: 2026-05-24, a Sunday, so 2026-05-25 (§35).
    problem = await w.act(Role.MANAGER, "extend", _extend("2026-05-26"), expect=422)
    assert "§36" in problem["detail"] and "legal deadline of 2026-04-24" in problem["detail"]
    assert "2026-05-25" in problem["detail"]
    await w.act(Role.MANAGER, "extend", _extend("2026-05-25"))
    answer = w.deadline("answer")
    assert (answer["due_on"], answer["original_due_on"]) == ("2026-05-25", "2026-04-24")


async def test_R_3_4_a_deadline_is_never_shortened_into_the_past(client, staff, clock):
    w = await routed(client, staff, clock, 4, 13)
    assert w.deadline("answer")["due_on"] == "2026-04-28"
    w.at(4, 20)
    problem = await w.act(
        Role.MANAGER, "shorten", {"due_date": "2026-04-17", "reason": "Urgent."}, expect=422
    )
    assert "§38" in problem["detail"] and "past" in problem["detail"]
    assert "R-3.4" in problem["detail"]
    w.at(4, 30)  # the deadline itself has passed: there is no earlier day left
    problem = await w.act(
        Role.MANAGER, "shorten", {"due_date": "2026-04-27", "reason": "Urgent."}, expect=422
    )
    assert "§38" in problem["detail"]
    assert (await w.read())["due_date"] == "2026-04-28"


async def test_R_3_4_a_study_decision_after_the_15_days_keeps_the_deadline_and_violation(
    client, staff, clock
):
    w = await routed(client, staff, clock, 4, 14)
    assert w.deadline("answer")["due_on"] == "2026-04-29"
    w.at(5, 4)
    await w.act(
        Role.MANAGER,
        "resolve",
        {"units": [LEAD], "instruction": "Verify on site.", "study_required": True},
    )
    appeal = await w.read()
    assert appeal["answer_rule"] == "answer" and appeal["due_date"] == "2026-04-29"
    assert appeal["overdue"] is True
    # Recorded by the decision itself, without waiting for the watch.
    assert violations(appeal) == [("answer", "2026-04-29")]
    history = await w.history()
    noted = [h for h in history if h["action"] == "deadline_violated"]
    assert len(noted) == 1 and noted[0]["actor_role"] == "manager"
    assert "R-3.4" in history[-1]["note"]
    assert await stats_overdue(w, "2026-04-14") == 1
