"""The ways out of consideration and who signs their letters (R-6.4, R-7.3, R-7.5, R-7.6), the
§37 study notice and the `sign` stage (R-4.4), over HTTP as the frontends use them."""

from __future__ import annotations

from typing import Any

import pytest_asyncio

from appeals_api.auth.roles import Role
from tests.helpers import at_tashkent, auth
from tests.helpers.lifecycle import LEAD, Staff, Walk, make_staff, start

HIGHER_BODY = {
    "channel": "presidential_virtual_reception",
    "control": {"type": "higher_body", "body": "Presidential Virtual Reception"},
}


@pytest_asyncio.fixture
async def staff(client, keys, make_key) -> Staff:
    return await make_staff(client, keys, make_key)


async def _walk(client, staff, clock, **overrides: Any) -> Walk:
    clock.set(at_tashkent(2026, 3, 2))  # a Monday
    return await start(client, staff, clock, **overrides)


async def _letters(w: Walk) -> list[dict[str, Any]]:
    r = await w.client.get(
        f"/api/v1/appeals/{w.id}/card", headers=auth(w.staff.key(Role.SUPERVISOR))
    )
    assert r.status_code == 200, r.text
    letters: list[dict[str, Any]] = r.json()["reverse"]["letters"]
    return letters


async def _notices(w: Walk) -> list[dict[str, Any]]:
    """The `appeal.applicant_notice` events of this appeal, in order."""
    found, after = [], 0
    while True:
        r = await w.client.get(
            "/api/v1/events",
            params={"after": after, "limit": 1000},
            headers=auth(w.staff.key(Role.SUPERVISOR)),
        )
        items = r.json()["items"]
        if not items:
            return found
        found += [
            e["data"]
            for e in items
            if e["appeal_id"] == w.id and e["type"] == "appeal.applicant_notice"
        ]
        after = items[-1]["id"]


async def test_R_6_4_registrar_alone_cannot_forward_a_manager_signs_the_letter(
    client, staff, clock
):
    """§31: the forwarding letter is signed by the Chairman or a deputy before it goes."""
    w = await _walk(client, staff, clock)
    w.at(3, 3)
    await w.act(Role.REGISTRAR, "forward", {"body": "Khokimiyat of Almalyk"})
    assert w.appeal["status"] == "registered" and w.appeal["on_control"] is True
    assert w.deadline("forward")["done_on"] is None
    refused = await w.act(Role.REGISTRAR, "send", {"letter_number": "07-15/77"}, expect=409)
    assert "§31" in refused["detail"] and "send" not in refused["allowed_actions"]
    await w.act(Role.REGISTRAR, "sign", expect=403)
    # While the letter is on its way, the appeal waits for it.
    await w.act(Role.MANAGER, "resolve", {"units": [LEAD], "instruction": "x"}, expect=409)
    assert await w.allowed(Role.MANAGER) == ["return_for_revision", "sign", "extend", "shorten"]

    w.at(3, 4)
    await w.act(Role.MANAGER, "sign")
    assert w.appeal["status"] == "registered"
    await w.act(Role.REGISTRAR, "send", {"letter_number": "07-15/77"})
    a = w.appeal
    assert a["status"] == "forwarded" and a["completed_on"] == "2026-03-04"
    assert a["on_control"] is False
    assert w.deadline("forward")["done_on"] == "2026-03-04"
    [letter] = await _letters(w)
    assert (letter["kind"], letter["state"], letter["signed_on"]) == (
        "forward",
        "sent",
        "2026-03-04",
    )
    assert letter["signed_by"] and letter["signed_by"] != letter["drafted_by"]
    assert await _notices(w) == [{"reason": "forwarded", "body": "Khokimiyat of Almalyk"}]


async def test_R_6_4_a_return_letter_not_signed_goes_back_and_the_appeal_goes_on(
    client, staff, clock
):
    w = await _walk(client, staff, clock)
    await w.act(Role.REGISTRAR, "return", {"explanation": "Which body is meant?"})
    await w.act(Role.MANAGER, "return_for_revision", {"reason": "It can be forwarded."})
    assert w.deadline("return")["cancelled"] is True
    assert "resolve" in await w.allowed(Role.MANAGER)
    await w.out_by_letter("forward", {"body": "Ministry of Energy"})
    assert w.appeal["status"] == "forwarded"
    assert [x["state"] for x in await _letters(w)] == ["returned", "sent"]


async def test_R_7_3_registrar_alone_cannot_send_the_withdrawal_answer(client, staff, clock):
    """§51: the answer to a withdrawal is signed by the deputy chairman."""
    w = await _walk(client, staff, clock)
    await w.route(LEAD)
    w.at(3, 4)
    await w.act(Role.REGISTRAR, "withdraw", {"received_on": "2026-03-04"})
    refused = await w.act(Role.REGISTRAR, "send", {"letter_number": "07-15/501"}, expect=409)
    assert "§51" in refused["detail"]
    assert w.deadline("withdrawal_answer")["done_on"] is None
    await w.act(Role.MANAGER, "sign")
    await w.act(Role.REGISTRAR, "send", {"letter_number": "07-15/501"})
    assert w.deadline("withdrawal_answer")["done_on"] == "2026-03-04"
    [letter] = await _letters(w)
    assert (letter["kind"], letter["state"]) == ("withdrawal_answer", "sent")
    assert letter["signed_by"] and letter["signed_on"] == "2026-03-04"


async def test_R_7_3_withdrawal_is_refused_once_the_response_is_signed(client, staff, clock):
    """§17, §61: a withdrawal is accepted before the decision, not after it."""
    w = await _walk(client, staff, clock)
    await w.route(LEAD)
    await w.act("lead", "respond", {"outcome": "satisfied", "text": "Done."})
    await w.act(Role.MANAGER, "sign")
    assert "withdraw" not in await w.allowed(Role.REGISTRAR)
    refused = await w.act(Role.REGISTRAR, "withdraw", {"received_on": "2026-03-02"}, expect=409)
    assert "§17" in refused["detail"] and "§61" in refused["detail"]
    assert w.appeal["status"] == "response_signed"
    # A draft is not yet the decision: the withdrawal is accepted then.
    d = await _walk(client, staff, clock)
    await d.route(LEAD)
    await d.act("lead", "respond", {"outcome": "satisfied", "text": "Done."})
    await d.act(Role.REGISTRAR, "withdraw", {"received_on": "2026-03-02"})
    assert d.appeal["status"] == "withdrawn"


async def test_R_7_3_measures_may_be_recorded_after_a_withdrawal(client, staff, clock):
    """§51: a withdrawal does not preclude measures against the violations found."""
    w = await _walk(client, staff, clock)
    await w.route(LEAD)
    w.at(3, 4)
    await w.act(Role.REGISTRAR, "withdraw", {"received_on": "2026-03-04"})
    await w.act(
        "lead",
        "record_measure",
        {"type": "on_site_inspection", "held_on": "2026-03-04", "description": "Dam inspected."},
    )
    measure_id = (await w.history())[-1]["changes"]["measures"][1]["id"]
    await w.act(
        Role.REGISTRAR,
        "record_measure_result",
        {"measure_id": measure_id, "result": "Violation fixed.", "result_on": "2026-03-04"},
    )
    assert w.appeal["status"] == "withdrawn"


async def test_R_3_3_s37_the_study_notice_of_a_proposal_meets_its_stage(client, staff, clock):
    w = await _walk(client, staff, clock, kind="proposal")
    await w.act(Role.REGISTRAR, "notify_study", {"letter_number": "1"}, expect=409)  # not due
    await w.route(LEAD, study_required=True)
    assert w.deadline("proposal_study_notice")["due_on"] == "2026-03-12"
    w.at(3, 6)
    await w.act(Role.REGISTRAR, "notify_study", {"letter_number": "07-15/37"})
    notice = w.deadline("proposal_study_notice")
    assert notice["done_on"] == "2026-03-06" and notice["cancelled"] is False
    assert w.appeal["status"] == "in_consideration"
    assert [x["kind"] for x in await _letters(w)] == ["study_notice"]
    assert {"reason": "study_notice", "due_date": w.appeal["due_date"]} in await _notices(w)
    await w.act(Role.REGISTRAR, "notify_study", {"letter_number": "again"}, expect=409)


async def _repeat_of(client, staff, clock, earlier: Walk) -> Walk:
    ref = {"relation": "repeat", "year": earlier.appeal["year"], "number": earlier.appeal["seq"]}
    return await start(client, staff, clock, related=ref)


async def _terminate_as_repeat(w: Walk) -> None:
    await w.act(
        Role.MANAGER,
        "terminate",
        {"ground": "repeat_without_new_arguments", "conclusion": "No new arguments (§50)."},
    )


async def test_R_7_5_a_repeat_after_correspondence_ceased_is_terminated_silently(
    client, staff, clock
):
    """§51: the applicant told once that the repeat is unfounded hears no more on the issue."""
    first = await _walk(client, staff, clock)
    await first.route(LEAD)
    first.at(3, 10)
    await first.answer("rejected", grounds="Within the limits.")
    second = await _repeat_of(client, staff, clock, first)
    await _terminate_as_repeat(second)
    assert await _notices(second) == []  # told when the signed notice goes out
    await second.act(Role.REGISTRAR, "send", {"letter_number": "07-15/700"})
    assert second.appeal["disposal"]["correspondence_ceased_on"] == "2026-03-10"
    assert [n["reason"] for n in await _notices(second)] == ["terminated"]

    third = await _repeat_of(client, staff, clock, second)
    await _terminate_as_repeat(third)
    assert third.appeal["status"] == "terminated"
    assert third.appeal["disposal"]["silent"] is True
    assert await _notices(third) == [] and await _letters(third) == []
    assert await third.allowed(Role.REGISTRAR) == []
    last = (await third.history())[-1]
    assert last["action"] == "terminate" and "R-7.5" in last["note"]
    assert second.appeal["number"] in last["note"]


async def _way_out(w: Walk, name: str) -> None:
    """Take the appeal out by `name` up to its signed letter, which the registrar sends next."""
    if name in ("forward", "return", "withdraw"):
        body = {
            "forward": {"body": "Ministry of Energy"},
            "return": {"explanation": "Which body?"},
            "withdraw": {"received_on": "2026-03-02"},
        }[name]
        await w.act(Role.REGISTRAR, name, body)
        await w.act(Role.MANAGER, "sign")
    elif name == "leave_without_consideration":
        await w.act(Role.MANAGER, name, {"ground": "other", "conclusion": "Not an appeal."})
    else:
        await w.act(Role.MANAGER, name, {"ground": "failed_to_appear", "conclusion": "Absent."})


async def test_R_7_6_every_way_out_answers_the_higher_body(client, staff, clock):
    """§44: under a higher body's control each way out answers that body too."""
    ways = ("forward", "return", "leave_without_consideration", "terminate", "withdraw")
    for name in ways:
        w = await _walk(client, staff, clock, **HIGHER_BODY)
        await _way_out(w, name)
        r = await w.act(Role.REGISTRAR, "send", {"letter_number": "07-15/9"}, expect=422)
        assert r["errors"][0]["field"] == "control_letter_number", name
        assert "§44" in r["errors"][0]["message"], name
        await w.act(
            Role.REGISTRAR, "send", {"letter_number": "07-15/9", "control_letter_number": "PVR-9"}
        )
        [letter] = await _letters(w)
        assert (letter["state"], letter["control_letter_number"]) == ("sent", "PVR-9"), name
        assert letter["signed_by"], name


async def test_R_4_4_the_sign_stage_runs_from_submission_to_signature(client, staff, clock):
    w = await _walk(client, staff, clock)
    await w.route(LEAD)
    w.at(3, 6)  # a Friday: signed by Tuesday (Monday 03-09 is Women's Day observed)
    await w.act("lead", "respond", {"outcome": "explained", "text": "An explanation."})
    stage = w.deadline("sign")
    assert (stage["start_on"], stage["due_on"], stage["done_on"]) == (
        "2026-03-06",
        "2026-03-10",
        None,
    )
    await w.act(Role.MANAGER, "return_for_revision", {"reason": "Cite the act."})
    assert w.deadline("sign")["cancelled"] is True
    w.at(3, 10)
    await w.act("lead", "respond", {"outcome": "explained", "text": "An explanation, cited."})
    assert w.deadline("sign")["due_on"] == "2026-03-11"
    w.at(3, 11)
    await w.act(Role.MANAGER, "sign")
    stage = w.deadline("sign")
    assert stage["done_on"] == "2026-03-11" and stage["cancelled"] is False
