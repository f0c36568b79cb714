"""The registration card of Appendix 2 over HTTP (R-2.2), its note on deadline violation (R-9.3),
and who may read it."""

from __future__ import annotations

import uuid

import pytest_asyncio

from appeals_api.auth.roles import Role
from tests.helpers import at_tashkent, auth
from tests.helpers.lifecycle import LEAD, SECOND, Staff, Walk, make_staff, start

MANAGER = "test manager (manager)"
REGISTRAR = "test registrar (registrar)"
SCRIPT = "<script>alert(1)</script>"


@pytest_asyncio.fixture
async def staff(client, keys, make_key) -> Staff:
    return await make_staff(client, keys, make_key)


async def _card(w: Walk, who: Role | str = Role.SUPERVISOR, *, accept: str | None = None):
    headers = auth(w.staff.key(who)) | {"Accept-Language": "en"}
    if accept is not None:
        headers["Accept"] = accept
    return await w.client.get(f"/api/v1/appeals/{w.id}/card", headers=headers)


async def _answered_extended(
    client, staff, clock, *, last_name: str = "Karimov"
) -> tuple[Walk, Walk]:
    """A collective paper repeat appeal under a higher body's control, routed to two units,
    extended once, answered on time and removed from control (2026-02); and the earlier one."""
    clock.set(at_tashkent(2026, 2, 2))  # a Monday: the answer is due 2026-02-17 (15 days)
    previous = await start(client, staff, clock)
    w = await start(
        client,
        staff,
        clock,
        kind="application",
        form="written",
        channel="post",
        summary="Dust from the tailings dam",
        paper={"sheets": 3, "attachments": 1},
        applicants=[
            {
                "type": "individual",
                "last_name": last_name,
                "first_name": "Aziz",
                "address": "Almalyk, Navoi street 5",
            },
            {"type": "legal_entity", "name": "Mahalla Navoi", "address": "Almalyk, Navoi 1"},
        ],
        control={
            "type": "higher_body",
            "body": "Presidential Virtual Reception",
            "reference": "PVR-2026-77",
        },
        related={"relation": "repeat", "year": 2026, "number": previous.appeal["seq"]},
    )
    w.at(2, 3)
    await w.act(
        Role.MANAGER,
        "resolve",
        {
            "units": [LEAD, SECOND],
            "instruction": "Inspect the dust suppression and answer.",
            "executors": [{"unit": LEAD, "name": "B. Tursunov"}],
        },
    )
    w.at(2, 4)
    await w.act(Role.REGISTRAR, "dispatch")
    await w.act("lead", "accept")
    await w.act("second", "accept")
    w.at(2, 6)
    await w.act(
        "lead",
        "record_measure",
        {
            "type": "on_site_inspection",
            "held_on": "2026-02-06",
            "description": "Inspection of the dam",
            "party": "Tailings shop",
        },
    )
    w.at(2, 11)
    await w.act(
        Role.MANAGER,
        "extend",
        {"due_date": "2026-03-03", "reason": "An inspection of the site is needed."},
    )
    w.at(2, 25)
    await w.act("lead", "respond", {"outcome": "partially_satisfied", "text": "Sprinklers."})
    w.at(2, 26)
    await w.act(Role.MANAGER, "sign")
    await w.act(
        Role.REGISTRAR,
        "send",
        {"letter_number": "07-15/1001", "control_letter_number": "PVR-07-15/1001"},
    )
    w.at(2, 27)
    await w.act(Role.MANAGER, "remove_from_control")
    return w, previous


async def test_R_2_2_card_json_holds_both_sides_of_an_answered_extended_appeal(
    client, staff, clock
):
    w, previous = await _answered_extended(client, staff, clock)
    clock.set(at_tashkent(2026, 3, 12))
    r = await _card(w)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/json")
    assert r.headers["vary"] == "Accept"
    card = r.json()
    assert set(card) == {"id", "number", "status", "as_of", "front", "reverse"}
    assert card["id"] == w.id and card["status"] == "closed" and card["as_of"] == "2026-03-12"
    assert card["number"] == w.appeal["number"] and card["number"].endswith("/26")

    front = card["front"]
    assert front["serial_number"] == card["number"]
    assert front["summary"] == "Dust from the tailings dam"
    assert front["applicants"] == [
        {"type": "individual", "name": "Karimov Aziz", "address": "Almalyk, Navoi street 5"},
        {"type": "legal_entity", "name": "Mahalla Navoi", "address": "Almalyk, Navoi 1"},
    ]
    assert front["address"] == "Almalyk, Navoi street 5"  # the first applicant is answered (§41)
    assert front["applicant_count"] == 2
    assert front["received_on"] == "2026-02-02"
    assert (front["kind"], front["form"], front["channel"]) == ("application", "written", "post")
    assert (front["sheets"], front["attachments"]) == (3, 1)
    assert front["related"] == {
        "relation": "repeat",
        "number": previous.appeal["number"],
        "received_on": "2026-02-02",
    }
    assert front["control"] == {
        "type": "higher_body",
        "body": "Presidential Virtual Reception",
        "reference": "PVR-2026-77",
    }
    assert front["resolution"] == {
        "signed_by": MANAGER,
        "signed_on": "2026-02-03",
        "instruction": "Inspect the dust suppression and answer.",
    }
    assert front["due_date"] == "2026-03-03"  # completion date: the extended answer deadline
    assert front["original_due_date"] == "2026-02-17"
    assert [(u["code"], u["lead"]) for u in front["units"]] == [(LEAD, True), (SECOND, False)]
    assert front["executors"] == [{"unit": LEAD, "name": "B. Tursunov"}]

    back = card["reverse"]
    assert [
        (d["unit"], d["dispatched_on"], d["lead"], d["current"]) for d in back["directions"]
    ] == [
        (LEAD, "2026-02-04", True, True),
        (SECOND, "2026-02-04", False, True),
    ]
    letter = back["response_letter"]
    assert (letter["letter_number"], letter["sent_on"]) == ("07-15/1001", "2026-02-26")
    assert letter["control_letter_number"] == "PVR-07-15/1001"
    assert letter["signed_by"] == MANAGER and letter["unit_code"] == LEAD
    assert back["deadline_changes"] == [
        {
            "action": "extend",
            "rule": "answer",
            "previous_due_date": "2026-02-17",
            "due_date": "2026-03-03",
            "by": MANAGER,
            "on": "2026-02-11",
            "reason": "An inspection of the site is needed.",
        }
    ]
    assert back["response_received_on"] == "2026-02-25"
    assert back["outcome"] == "partially_satisfied" and back["disposal"] is None
    removal = back["removed_from_control"]
    assert removal["by"] == MANAGER and removal["on"] == "2026-02-27"
    assert back["completed_on"] == "2026-02-26"
    assert back["violation_note"] is None  # answered before the extended deadline
    assert [(m["type"], m["held_on"], m["unit_code"]) for m in back["measures"]] == [
        ("on_site_inspection", "2026-02-06", LEAD)
    ]
    assert [(x["kind"], x["state"]) for x in back["letters"]] == [("response", "sent")]


async def test_R_2_2_card_html_is_printable_has_the_key_values_and_escapes_applicant_text(
    client, staff, clock
):
    w, _ = await _answered_extended(client, staff, clock, last_name=SCRIPT)
    r = await _card(w, accept="text/html")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/html")
    assert r.headers["vary"] == "Accept, Accept-Language"
    page = r.text
    assert page.startswith("<!DOCTYPE html>") and "<style>" in page
    assert "Front side" in page and "Reverse side" in page
    for value in (
        w.appeal["number"],
        "02.02.2026",  # receipt
        LEAD,
        SECOND,
        "B. Tursunov",
        MANAGER,
        "04.02.2026",  # directed to the units
        "No. 07-15/1001, 26.02.2026",
        "03.03.2026",  # the extended answer deadline
        "25.02.2026",  # the response received from the unit
        "partially satisfied",
        "27.02.2026",  # removed from control
        "Mahalla Navoi",
    ):
        assert value in page, value
    # The applicant's markup is printed as text, never run (no script tag at all on the page).
    assert "<script" not in page.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Aziz" in page

    # A browser's Accept gets the page; */* and JSON get JSON.
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    assert (await _card(w, accept=browser)).headers["content-type"].startswith("text/html")
    for accept in ("*/*", "application/json", "application/json, text/html;q=0.5"):
        got = await _card(w, accept=accept)
        assert got.headers["content-type"].startswith("application/json"), accept
        assert got.json()["front"]["applicants"][0]["name"] == f"{SCRIPT} Aziz"


async def test_R_9_3_violation_note_for_a_late_or_overdue_answer_not_for_an_on_time_one(
    client, staff, clock
):
    clock.set(at_tashkent(2026, 4, 6))  # a Monday: the answer is due 2026-04-21
    late = await start(client, staff, clock)
    on_time = await start(client, staff, clock)
    still_open = await start(client, staff, clock)
    for w in (late, on_time, still_open):
        await w.route(LEAD)
    # On time is judged against the deadline in force, here a shortened one.
    await on_time.act(Role.MANAGER, "shorten", {"due_date": "2026-04-17", "reason": "Urgent."})
    on_time.at(4, 17)
    await on_time.answer()
    late.at(4, 24)
    await late.answer()

    clock.set(at_tashkent(2026, 4, 27))
    note = (await _card(still_open)).json()["reverse"]["violation_note"]
    assert "answer" in note and "2026-04-21" in note
    assert "6 days overdue" in note and "2026-04-27" in note

    clock.set(at_tashkent(2026, 5, 12))  # reading later changes nothing for closed appeals
    card = (await _card(late)).json()
    assert card["reverse"]["completed_on"] == "2026-04-24"
    note = card["reverse"]["violation_note"]
    assert "answer" in note and "§36" in note and "2026-04-21" in note
    assert "by 3 days" in note and "2026-04-24" in note
    assert "21.04.2026" in (await _card(late, accept="text/html")).text

    back = (await _card(on_time)).json()["reverse"]
    assert back["completed_on"] == "2026-04-17" and back["violation_note"] is None
    assert [
        (c["action"], c["previous_due_date"], c["due_date"]) for c in back["deadline_changes"]
    ] == [("shorten", "2026-04-21", "2026-04-17")]


async def test_R_2_2_card_of_an_appeal_forwarded_shows_the_way_out(client, staff, clock):
    clock.set(at_tashkent(2026, 6, 8))
    w = await start(client, staff, clock)
    w.at(6, 9)
    await w.out_by_letter("forward", {"body": "Khokimiyat of Almalyk"}, letter_number="07-15/77")
    back = (await _card(w)).json()["reverse"]
    assert back["disposal"] == {"type": "forwarded", "body": "Khokimiyat of Almalyk"}
    assert back["outcome"] is None and back["directions"] == []
    letter = back["response_letter"]
    assert (letter["kind"], letter["letter_number"], letter["sent_on"]) == (
        "forward",
        "07-15/77",
        "2026-06-09",
    )
    assert back["response_received_on"] is None
    assert back["removed_from_control"]["by"] == REGISTRAR
    assert back["completed_on"] == "2026-06-09" and back["violation_note"] is None


async def test_R_2_2_card_readers_only_and_executors_only_of_their_units(
    client, staff, keys, clock
):
    w = await start(client, staff, clock)
    await w.route(LEAD)
    for who in (Role.REGISTRAR, Role.MANAGER, Role.SUPERVISOR, "lead"):
        assert (await _card(w, who)).status_code == 200, who
    # An executor of another unit: for it the appeal does not exist, in JSON or HTML.
    for who in ("second", Role.EXECUTOR):
        for accept in (None, "text/html"):
            r = await _card(w, who, accept=accept)
            assert r.status_code == 404, (who, accept)
            assert r.headers["content-type"].startswith("application/problem+json")
    for role in (Role.ANALYST, Role.INTAKE, Role.DIRECTUM, Role.ADMIN):
        r = await _card(w, role)
        assert r.status_code == 403, role
    assert (await client.get(f"/api/v1/appeals/{w.id}/card")).status_code == 401
    r = await client.get(
        f"/api/v1/appeals/{uuid.uuid4()}/card", headers=auth(keys[Role.SUPERVISOR])
    )
    assert r.status_code == 404
    r = await client.get("/api/v1/appeals/not-a-uuid/card", headers=auth(keys[Role.SUPERVISOR]))
    assert r.status_code == 422
