"""Each path of an appeal end to end over HTTP (R-3.4, R-4 to R-7): status, outcome, deadlines
and history at every step."""

from __future__ import annotations

import pytest_asyncio

from appeals_api.auth.roles import Role
from tests.helpers import at_tashkent, auth
from tests.helpers.lifecycle import LEAD, SECOND, Staff, Walk, make_staff, start


@pytest_asyncio.fixture
async def staff(client, keys, make_key) -> Staff:
    return await make_staff(client, keys, make_key)


async def _walk(client, staff, clock, **overrides) -> Walk:
    # A Monday 10:00 in Tashkent: registered that day, answer due 15 days later.
    clock.set(at_tashkent(2026, 3, 2))
    return await start(client, staff, clock, **overrides)


async def test_R_4_r6_answered_on_time(client, staff, clock):
    w = await _walk(client, staff, clock)
    assert w.appeal["status"] == "registered" and w.appeal["units"] == []
    assert await w.allowed(Role.MANAGER) == [
        "resolve",
        "extend",
        "shorten",
        "leave_without_consideration",
        "terminate",
    ]
    # Not routed to the unit yet: for its executors the appeal does not exist.
    assert (
        await client.get(f"/api/v1/appeals/{w.id}/actions", headers=_h(staff.lead))
    ).status_code == 404

    w.at(3, 3)
    await w.act(
        Role.MANAGER,
        "resolve",
        {"units": [LEAD, SECOND], "instruction": "Inspect the tailings dam and answer."},
    )
    assert w.appeal["status"] == "resolved" and w.appeal["units"] == [LEAD, SECOND]
    assert w.deadline("registration")["done_on"] == "2026-03-03"
    assert w.deadline("dispatch")["start_on"] == "2026-03-03"
    assert w.deadline("dispatch")["due_on"] == "2026-03-04"  # one working day (§26)

    await w.act(Role.REGISTRAR, "dispatch")
    assert w.appeal["status"] == "dispatched"
    assert w.deadline("dispatch")["done_on"] == "2026-03-03"
    assert await w.allowed("lead") == ["accept"]
    assert "respond" not in await w.allowed("second")

    await w.act("lead", "accept")
    assert w.appeal["status"] == "in_consideration"
    await w.act("lead", "accept", expect=409)  # once per unit
    await w.act("second", "accept")
    assert w.appeal["status"] == "in_consideration"

    w.at(3, 5)
    measure = await w.act(
        "second",
        "record_measure",
        {
            "type": "on_site_inspection",
            "held_on": "2026-03-05",
            "description": "Inspection of the dust suppression on the dam",
            "party": "Tailings shop",
        },
    )
    assert measure["status"] == "in_consideration"
    w.at(3, 10)
    # Only the lead unit drafts the response (§27).
    await w.act(
        "second", "respond", {"outcome": "satisfied", "text": "Done.", "interim": False}, expect=403
    )
    await w.act("lead", "respond", {"outcome": "satisfied", "text": "Sprinklers were installed."})
    assert w.appeal["status"] == "response_drafted"
    await w.act(Role.REGISTRAR, "sign", expect=403)  # only a manager signs
    await w.act(Role.MANAGER, "sign")
    assert w.appeal["status"] == "response_signed"
    assert w.deadline("send_response")["due_on"] == "2026-03-10"
    await w.act(Role.REGISTRAR, "send", {"letter_number": "07-15/331"})
    assert w.appeal["status"] == "answered"
    assert w.appeal["outcome"] == "satisfied"
    assert w.appeal["completed_on"] == "2026-03-10"
    assert w.appeal["overdue"] is False
    assert w.appeal["on_control"] is True  # sending is not removal from control (§66)
    assert w.deadline("answer")["done_on"] == "2026-03-10"
    assert all(d["done_on"] for d in w.appeal["deadlines"])

    await w.act(Role.MANAGER, "remove_from_control")
    assert w.appeal["status"] == "closed" and w.appeal["on_control"] is False
    assert await w.allowed(Role.MANAGER) == []

    history = await w.history()
    assert [h["action"] for h in history] == [
        "registered",
        "resolve",
        "dispatch",
        "accept",
        "accept",
        "record_measure",
        "respond",
        "sign",
        "send",
        "remove_from_control",
    ]
    send = history[8]
    assert send["changes"]["status"] == ["response_signed", "answered"]
    assert send["changes"]["completed_on"] == [None, "2026-03-10"]
    assert send["actor_role"] == "registrar"
    events = await _events(client, staff, w.id)
    assert events.count("appeal.status_changed") == 7
    # Every action reached the outbox: the second acceptance and the measure moved no status.
    assert events.count("appeal.updated") == 2
    assert events[0] == "appeal.registered"
    assert "appeal.response_sent" in events


async def test_R_6_3_answered_late_is_overdue_by_the_day_sent(client, staff, clock):
    w = await _walk(client, staff, clock)
    await w.route(LEAD)
    w.at(3, 20)  # after the 15 days (due 2026-03-17)
    await w.answer(sent_on="2026-03-20")
    assert w.appeal["due_date"] == "2026-03-17"
    assert w.appeal["completed_on"] == "2026-03-20"
    assert w.appeal["overdue"] is True
    # A response signed late but dated back before signing is refused.
    w2 = await _walk(client, staff, clock)
    await w2.route(LEAD)
    w2.at(3, 12)
    await w2.act("lead", "respond", {"outcome": "explained", "text": "An explanation."})
    await w2.act(Role.MANAGER, "sign")
    await w2.act(
        Role.REGISTRAR, "send", {"letter_number": "1", "sent_on": "2026-03-11"}, expect=422
    )
    await w2.act(
        Role.REGISTRAR, "send", {"letter_number": "1", "sent_on": "2026-03-13"}, expect=422
    )  # the future


async def test_R_3_4_extension_by_a_manager_with_reason_at_most_a_month(client, staff, clock):
    w = await _walk(client, staff, clock)
    await w.route(LEAD)
    original = w.deadline("answer")["due_on"]
    assert original == "2026-03-17"
    await w.act(Role.REGISTRAR, "extend", {"due_date": "2026-04-10", "reason": "x"}, expect=403)
    await w.act("lead", "extend", {"due_date": "2026-04-10", "reason": "x"}, expect=403)
    await w.act(Role.MANAGER, "extend", {"due_date": "2026-04-10"}, expect=422)  # no reason
    # More than a month past the current deadline.
    await w.act(
        Role.MANAGER, "extend", {"due_date": "2026-04-20", "reason": "inspection"}, expect=422
    )
    # Not a working day (a Sunday).
    await w.act(
        Role.MANAGER, "extend", {"due_date": "2026-04-12", "reason": "inspection"}, expect=422
    )
    await w.act(
        Role.MANAGER,
        "extend",
        {"due_date": "2026-04-16", "reason": "An inspection of the site is needed."},
    )
    answer = w.deadline("answer")
    assert answer["due_on"] == "2026-04-16" and answer["fixed"] is True
    assert answer["original_due_on"] == original  # the original stays visible
    assert w.appeal["due_date"] == "2026-04-16"
    last = (await w.history())[-1]
    assert last["action"] == "extend"
    assert last["changes"]["deadlines.answer"] == [original, "2026-04-16"]
    assert last["note"] == "An inspection of the site is needed."
    events = await _events(client, staff, w.id, full=True)
    changed = [e for e in events if e["type"] == "appeal.deadline_changed"][-1]
    assert changed["data"]["previous_due_date"] == original
    assert changed["data"]["due_date"] == "2026-04-16"
    notices = [e for e in events if e["type"] == "appeal.applicant_notice"]
    assert notices[-1]["data"] == {"reason": "deadline_extended", "due_date": "2026-04-16"}

    # Shortening: earlier, not in the past.
    await w.act(Role.MANAGER, "shorten", {"due_date": "2026-04-20", "reason": "later"}, expect=422)
    await w.act(Role.MANAGER, "shorten", {"due_date": "2026-04-08", "reason": "Urgent."})
    assert w.appeal["due_date"] == "2026-04-08"
    w.at(4, 8)
    await w.answer()
    assert w.appeal["overdue"] is False and w.appeal["completed_on"] == "2026-04-08"


async def test_R_6_1_rejection_needs_grounds_and_a_manager_signature(client, staff, clock):
    w = await _walk(client, staff, clock)
    await w.route(LEAD)
    r = await w.act("lead", "respond", {"outcome": "rejected", "text": "No."}, expect=422)
    assert any(e["field"] == "" or "grounds" in e["message"] for e in r["errors"])
    await w.act(
        "lead", "respond", {"outcome": "rejected", "text": "No.", "grounds": "  "}, expect=422
    )
    assert w.appeal["status"] == "in_consideration"
    await w.act(
        "lead",
        "respond",
        {
            "outcome": "rejected",
            "text": "The claim is refused.",
            "grounds": "The land plot is outside the sanitary zone (Decree 1234, art. 5).",
        },
    )
    # The manager sends it back once, then signs the revised draft.
    await w.act(Role.MANAGER, "return_for_revision", {"reason": "Cite the measurements."})
    assert w.appeal["status"] == "in_consideration"
    await w.act(
        "lead",
        "respond",
        {
            "outcome": "rejected",
            "text": "The claim is refused; measurements attached.",
            "grounds": "Measurements of 2026-03-04 are within limits.",
        },
    )
    await w.act(Role.MANAGER, "sign")
    await w.act(Role.REGISTRAR, "send", {"letter_number": "07-15/400"})
    assert w.appeal["outcome"] == "rejected" and w.appeal["status"] == "answered"


async def test_R_5_3_interim_response_keeps_the_appeal_on_control(client, staff, clock):
    w = await _walk(client, staff, clock)
    await w.route(LEAD, study_required=True)
    # §36: additional study gives a month from receipt.
    assert w.appeal["answer_rule"] == "answer_extended_study"
    assert w.appeal["due_date"] == "2026-04-02"
    await w.act("lead", "respond", {"text": "We are studying it.", "interim": True})
    assert w.appeal["status"] == "in_consideration"
    assert w.appeal["completed_on"] is None and w.appeal["on_control"] is True
    assert w.deadline("answer_extended_study")["done_on"] is None
    assert "remove_from_control" not in await w.allowed(Role.MANAGER)
    await w.act(Role.MANAGER, "remove_from_control", expect=409)
    w.at(3, 30)
    await w.answer("partially_satisfied")
    assert w.appeal["status"] == "answered" and w.appeal["outcome"] == "partially_satisfied"
    assert w.deadline("answer_extended_study")["done_on"] == "2026-03-30"


async def test_R_7_1_left_without_consideration_as_anonymous(client, staff, clock):
    w = await _walk(client, staff, clock, applicants=[{"type": "individual"}])
    assert w.appeal["checks"]["anonymity"] is True
    await w.act(
        Role.REGISTRAR,
        "leave_without_consideration",
        {"ground": "anonymous", "conclusion": "No name or address."},
        expect=403,
    )
    await w.act(
        Role.MANAGER,
        "leave_without_consideration",
        {"ground": "anonymous", "conclusion": "", "prepared_by": "A. Registrar"},
        expect=422,
    )
    await w.act(
        Role.MANAGER,
        "leave_without_consideration",
        {
            "ground": "anonymous",
            "conclusion": "The appeal has no name and no address (§46–47).",
            "prepared_by": "A. Registrar",
        },
    )
    a = w.appeal
    assert a["status"] == "left_without_consideration"
    assert a["disposal"]["ground"] == "anonymous" and a["disposal"]["prepared_by"] == "A. Registrar"
    assert a["on_control"] is False and a["completed_on"] == "2026-03-02"
    assert all(d["cancelled"] for d in a["deadlines"])
    assert await w.allowed(Role.MANAGER) == [] and await w.allowed(Role.REGISTRAR) == []
    # No address: nobody to notify.
    assert "appeal.applicant_notice" not in await _events(client, staff, w.id)


async def test_R_7_2_terminated_on_a_ground_and_repeat_needs_a_repeat(client, staff, clock):
    w = await _walk(client, staff, clock)
    await w.route(LEAD)
    await w.act(
        Role.MANAGER,
        "terminate",
        {"ground": "repeat_without_new_arguments", "conclusion": "Nothing new."},
        expect=409,
    )
    await w.act(
        Role.MANAGER, "terminate", {"ground": "died", "conclusion": "x"}, expect=422
    )  # not a ground of §50
    await w.act(
        Role.MANAGER,
        "terminate",
        {"ground": "failed_to_appear", "conclusion": "Summoned twice, did not appear (§34)."},
    )
    assert w.appeal["status"] == "terminated" and w.appeal["on_control"] is False
    assert w.appeal["disposal"]["ground"] == "failed_to_appear"
    assert w.appeal["outcome"] is None


async def test_R_7_3_withdrawn_with_three_day_answer(client, staff, clock):
    w = await _walk(client, staff, clock)
    await w.route(LEAD)
    w.at(3, 6)  # a Friday
    await w.act(Role.REGISTRAR, "withdraw", {"received_on": "2026-03-07"}, expect=422)  # future
    await w.act(Role.REGISTRAR, "withdraw", {"received_on": "2026-03-05"})
    a = w.appeal
    assert a["status"] == "withdrawn"
    assert a["answer_rule"] == "withdrawal_answer"
    # 3 days from 03-05 is Sunday 03-08, Women's Day; the next working day is Tuesday 03-10.
    assert w.deadline("withdrawal_answer")["due_on"] == a["due_date"] == "2026-03-10"
    assert w.deadline("answer")["cancelled"] is True
    assert await w.allowed(Role.REGISTRAR) == ["record_measure", "record_measure_result"]
    await w.act("lead", "respond", {"outcome": "satisfied", "text": "x"}, expect=409)
    await w.act(Role.MANAGER, "remove_from_control", expect=409)  # no answer sent yet
    await w.act(Role.MANAGER, "sign")  # the deputy chairman signs the answer (§51)
    assert await w.allowed(Role.REGISTRAR) == ["record_measure", "record_measure_result", "send"]
    await w.act(Role.REGISTRAR, "send", {"letter_number": "07-15/501"})
    assert w.appeal["status"] == "withdrawn" and w.appeal["completed_on"] == "2026-03-06"
    assert w.deadline("withdrawal_answer")["done_on"] == "2026-03-06"
    await w.act(Role.REGISTRAR, "send", {"letter_number": "again"}, expect=409)
    await w.act(Role.MANAGER, "remove_from_control")
    assert w.appeal["on_control"] is False and w.appeal["status"] == "withdrawn"


async def test_R_7_4_forwarded_and_returned_within_five_days(client, staff, clock):
    w = await _walk(client, staff, clock)
    w.at(3, 4)
    await w.out_by_letter("forward", {"body": "Khokimiyat of Almalyk"}, letter_number="07-15/77")
    a = w.appeal
    assert a["status"] == "forwarded" and a["completed_on"] == "2026-03-04"
    assert a["disposal"] == {"type": "forwarded", "body": "Khokimiyat of Almalyk"}
    forward = w.deadline("forward")
    # 5 days from 03-02 is Saturday 03-07; Monday 03-09 is Women's Day observed.
    assert forward["start_on"] == "2026-03-02" and forward["due_on"] == "2026-03-10"
    assert forward["done_on"] == "2026-03-04" and forward["cancelled"] is False
    assert a["overdue"] is False and a["on_control"] is False
    events = await _events(client, staff, w.id, full=True)
    assert {"reason": "forwarded", "body": "Khokimiyat of Almalyk"} in [
        e["data"] for e in events if e["type"] == "appeal.applicant_notice"
    ]

    r = await _walk(client, staff, clock)
    r.at(3, 5)
    await r.out_by_letter("return", {"explanation": "The body cannot be determined."})
    assert r.appeal["status"] == "returned"
    assert r.deadline("return")["done_on"] == "2026-03-05"


async def test_R_5_2_duplicate_during_consideration_is_answered_with_the_original(
    client, staff, clock
):
    original = await _walk(client, staff, clock)
    await original.route(LEAD)
    dup = await start(
        client,
        staff,
        clock,
        related={
            "relation": "duplicate",
            "year": original.appeal["year"],
            "number": original.appeal["seq"],
        },
    )
    assert dup.appeal["related"]["appeal_id"] == original.id
    await dup.act(Role.REGISTRAR, "answer_duplicate", {"letter_number": "x"}, expect=409)
    await dup.act(Role.REGISTRAR, "join")
    assert dup.appeal["status"] == "joined"
    assert dup.appeal["joined_to"] == original.id
    assert dup.appeal["units"] == [LEAD]  # the lead unit now sees it with the original
    assert (await dup.read("lead"))["status"] == "joined"
    assert any(h["action"] == "duplicate_joined" for h in await original.history())

    await original.act(
        Role.MANAGER, "extend", {"due_date": "2026-04-01", "reason": "Study needed."}
    )
    assert (await dup.read())["due_date"] == "2026-04-01"
    original.at(3, 20)
    await original.answer("satisfied")
    got = await dup.read()
    assert got["completed_on"] == "2026-03-20" and got["outcome"] == "satisfied"
    assert got["status"] == "joined" and got["overdue"] is False
    await original.act(Role.REGISTRAR, "remove_from_control")
    assert (await dup.read())["on_control"] is False


async def test_R_5_2_duplicate_after_the_response_gets_a_notice(client, staff, clock):
    original = await _walk(client, staff, clock)
    await original.route(LEAD)
    original.at(3, 10)
    await original.answer()
    dup = await start(client, staff, clock)
    ref = {"year": original.appeal["year"], "number": original.appeal["seq"]}
    await dup.act(Role.REGISTRAR, "join", ref, expect=409)
    await dup.act(Role.REGISTRAR, "answer_duplicate", {**ref, "letter_number": "07-15/9"})
    a = dup.appeal
    assert a["status"] == "joined" and a["joined_to"] == original.id
    assert a["completed_on"] == "2026-03-10" and a["on_control"] is False
    assert a["disposal"]["type"] == "answered_as_duplicate"
    assert dup.deadline("answer")["done_on"] == "2026-03-10"


async def test_R_2_3_repeat_appeal_is_linked_and_may_be_terminated(client, staff, clock):
    first = await _walk(client, staff, clock)
    await first.route(LEAD)
    first.at(3, 10)
    await first.answer("rejected", grounds="Within the limits.")
    repeat = await start(
        client,
        staff,
        clock,
        related={
            "relation": "repeat",
            "year": first.appeal["year"],
            "number": first.appeal["seq"],
        },
    )
    related = repeat.appeal["related"]
    assert related["appeal_id"] == first.id
    assert related["received_on"] == "2026-03-02"
    assert related["display"] == first.appeal["number"]
    await repeat.act(
        Role.MANAGER,
        "terminate",
        {
            "ground": "repeat_without_new_arguments",
            "conclusion": "No new arguments; the first appeal was fully answered (§50).",
        },
    )
    assert repeat.appeal["status"] == "terminated"


async def test_s42_clarification_of_a_sent_response_in_ten_days(client, staff, clock):
    w = await _walk(client, staff, clock)
    await w.route(LEAD)
    w.at(3, 10)
    await w.answer()
    await w.act(
        Role.REGISTRAR, "send_clarification", {"text": "x", "letter_number": "1"}, expect=409
    )
    w.at(3, 12)
    await w.act(
        Role.REGISTRAR,
        "request_clarification",
        {"received_on": "2026-03-12", "request": "Which street?"},
    )
    # 10 days from 03-12 is Sunday 03-22; Monday 03-23 is Nowruz observed.
    assert w.deadline("clarification")["due_on"] == "2026-03-24"
    assert await w.allowed(Role.REGISTRAR) == ["remove_from_control", "send_clarification"]
    await w.act(
        Role.REGISTRAR,
        "send_clarification",
        {"text": "Navoi street.", "letter_number": "07-15/600"},
    )
    assert w.deadline("clarification")["done_on"] == "2026-03-12"
    assert w.appeal["status"] == "answered"


def _h(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


async def _events(client, staff: Staff, appeal_id: str, *, full: bool = False):
    r = await client.get(
        "/api/v1/events", params={"limit": 1000}, headers=_h(staff.keys[Role.SUPERVISOR])
    )
    items = r.json()["items"]
    after = items[-1]["id"] if items else 0
    while len(items) % 1000 == 0 and items:
        more = (
            await client.get(
                "/api/v1/events",
                params={"limit": 1000, "after": after},
                headers=_h(staff.keys[Role.SUPERVISOR]),
            )
        ).json()["items"]
        if not more:
            break
        items += more
        after = more[-1]["id"]
    mine = [e for e in items if e["appeal_id"] == appeal_id]
    return mine if full else [e["type"] for e in mine]


async def test_R_7_3_a_terminated_withdrawal_still_gets_its_answer(client, staff, clock):
    """§17, §50–51: terminating on the withdrawal ground does not cancel the 3-day answer."""
    w = await _walk(client, staff, clock)
    await w.route(LEAD)
    w.at(3, 4)
    await w.act(Role.REGISTRAR, "withdraw", {"received_on": "2026-03-04"})
    await w.act(
        Role.MANAGER,
        "terminate",
        {"ground": "withdrawal", "conclusion": "The applicant withdrew the appeal."},
    )
    assert w.appeal["status"] == "terminated"
    assert w.deadline("withdrawal_answer")["done_on"] is None  # still owed
    assert await w.allowed(Role.REGISTRAR) == []  # not signed yet
    await w.act(Role.MANAGER, "sign")
    assert await w.allowed(Role.REGISTRAR) == ["send"]
    await w.act(Role.REGISTRAR, "send", {"letter_number": "07-15/520"})
    assert w.appeal["status"] == "terminated"
    assert w.deadline("withdrawal_answer")["done_on"] == "2026-03-04"
    assert await w.allowed(Role.REGISTRAR) == []
    await w.act(Role.REGISTRAR, "send", {"letter_number": "again"}, expect=409)


async def test_R_5_1_a_measure_is_recorded_with_its_dates_and_later_its_result(
    client, staff, clock
):
    w = await _walk(client, staff, clock)
    await w.route(LEAD)
    w.at(3, 5)
    summons = {
        "type": "summons",
        "held_on": "2026-03-05",
        "description": "The applicant is summoned for 03-06",
        "party": "The applicant",
    }
    await w.act("lead", "record_measure", summons)
    measure_id = (await w.history())[-1]["changes"]["measures"][1]["id"]
    result = {"measure_id": measure_id, "result": "Appeared, explained.", "result_on": "2026-03-04"}
    await w.act(Role.REGISTRAR, "record_measure_result", result, expect=422)  # before held_on
    w.at(3, 6)
    await w.act(Role.REGISTRAR, "record_measure_result", {**result, "result_on": "2026-03-06"})
    await w.act(
        Role.REGISTRAR, "record_measure_result", {**result, "result_on": "2026-03-06"}, expect=409
    )  # a result is recorded once
    card = (
        await client.get(f"/api/v1/appeals/{w.id}/card", headers=_h(staff.keys[Role.SUPERVISOR]))
    ).json()
    [measure] = card["reverse"]["measures"]
    assert (measure["type"], measure["held_on"]) == ("summons", "2026-03-05")
    assert (measure["result"], measure["result_on"]) == ("Appeared, explained.", "2026-03-06")


async def test_R_6_2_the_response_goes_to_the_designated_applicant_in_the_appeals_language(
    client, staff, clock
):
    """§41: a collective appeal is answered to the one designated; §40: in its language."""
    people = [
        {"type": "individual", "last_name": "Aliyev", "first_name": "Bek", "address": "A"},
        {"type": "individual", "last_name": "Saidova", "first_name": "Nodira", "address": "B"},
    ]
    w = await _walk(client, staff, clock, applicants=people, respond_to=1, language="ru")
    await w.route(LEAD)
    await w.answer()
    card = (
        await client.get(f"/api/v1/appeals/{w.id}/card", headers=_h(staff.keys[Role.REGISTRAR]))
    ).json()
    letter = card["reverse"]["response_letter"]
    assert (letter["addressee"], letter["language"]) == ("Saidova Nodira", "ru")
    [stored] = [x for x in card["reverse"]["letters"] if x["kind"] == "response"]
    assert stored["addressee"] == "Saidova Nodira"


async def test_s44_under_a_higher_bodys_control_the_body_is_answered_too(client, staff, clock):
    w = await _walk(
        client,
        staff,
        clock,
        channel="presidential_virtual_reception",
        control={"type": "higher_body", "body": "Presidential Virtual Reception"},
    )
    await w.route(LEAD)
    await w.act("lead", "respond", {"outcome": "satisfied", "text": "Done."})
    await w.act(Role.MANAGER, "sign")
    r = await w.act(Role.REGISTRAR, "send", {"letter_number": "07-15/1"}, expect=422)
    assert r["errors"][0]["field"] == "control_letter_number"
    assert w.appeal["status"] == "response_signed"
    await w.act(
        Role.REGISTRAR, "send", {"letter_number": "07-15/1", "control_letter_number": "PVR-1"}
    )
    assert w.appeal["status"] == "answered"


async def test_R_5_2_a_joined_duplicate_is_read_by_the_units_its_original_is_routed_to(
    client, staff, clock
):
    """Issue 19 (6): re-routing the original moves its joined duplicates with it: the unit it
    left no longer reads them, the unit it went to does (R-8.2)."""
    original = await _walk(client, staff, clock)
    await original.act(
        Role.MANAGER, "resolve", {"units": [LEAD], "instruction": "Consider and answer."}
    )
    dup = await start(client, staff, clock)
    ref = {"year": original.appeal["year"], "number": original.appeal["seq"]}
    await dup.act(Role.REGISTRAR, "join", ref)
    assert (await dup.read("lead"))["units"] == [LEAD]
    await original.act(
        Role.MANAGER, "resolve", {"units": [SECOND], "instruction": "The other unit answers."}
    )
    gone = await client.get(f"/api/v1/appeals/{dup.id}", headers=auth(staff.lead))
    assert gone.status_code == 404
    assert (await dup.read("second"))["units"] == [SECOND]
    listed = await client.get("/api/v1/appeals", headers=auth(staff.second))
    assert dup.id in [a["id"] for a in listed.json()["items"]]
    assert any(h["action"] == "followed_original" for h in await dup.history())
