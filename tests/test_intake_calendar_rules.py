"""Issue 13, the intake and calendar clauses: the form follows the channel (R-1.1), the year of
the book (R-2.1), the end of working hours (R-3.2), the stages of an after-hours appeal, and
what a decree override changes (R-3.6). Real 2026 dates (decree PF-257 and the UZ calendar)."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
import pytest_asyncio

from appeals_api.appeals.channels import FORMS_OF_CHANNEL, follows_channel
from appeals_api.appeals.enums import Channel, Form
from appeals_api.auth.roles import Role
from appeals_api.clock import FrozenClock
from appeals_api.stats import seed_data
from tests.helpers import REPO, appeal_body, at_tashkent, auth
from tests.helpers.lifecycle import LEAD, Staff, make_staff, start

TASHKENT = ZoneInfo("Asia/Tashkent")


@pytest_asyncio.fixture
async def staff(client, keys, make_key) -> Staff:
    return await make_staff(client, keys, make_key)


async def _post(client, key: str, **overrides: object) -> dict:
    r = await client.post("/api/v1/appeals", json=appeal_body(**overrides), headers=auth(key))
    assert r.status_code == 201, r.text
    return dict(r.json())


async def _read(client, keys, appeal_id: str) -> dict:
    r = await client.get(f"/api/v1/appeals/{appeal_id}", headers=auth(keys[Role.REGISTRAR]))
    assert r.status_code == 200, r.text
    return dict(r.json())


async def _history(client, keys, appeal_id: str) -> list[dict]:
    r = await client.get(f"/api/v1/appeals/{appeal_id}/history", headers=auth(keys[Role.REGISTRAR]))
    return list(r.json()["items"])


def _due(appeal: dict, rule: str) -> dict:
    return next(d for d in appeal["deadlines"] if d["rule"] == rule)


# --- the form follows the channel (§4) ---------------------------------------------------


@pytest.mark.parametrize(
    ("form", "channel"),
    [
        ("electronic", "helpline"),
        ("oral", "website"),
        ("written", "email"),
        ("oral", "government_portal"),
        ("written", "presidential_virtual_reception"),
        ("electronic", "post"),
        ("electronic", "personal_reception"),
        ("electronic", "mass_reception"),
        ("oral", "mass_media"),
    ],
)
async def test_R_1_1_a_form_its_channel_does_not_admit_is_refused_naming_both(
    client, keys, form, channel
):
    h = auth(keys[Role.REGISTRAR])
    before = await _post(client, keys[Role.REGISTRAR])
    r = await client.post(
        "/api/v1/appeals", json=appeal_body(form=form, channel=channel), headers=h
    )
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    problem = r.json()
    assert {e["field"] for e in problem["errors"]} == {"form", "channel"}
    assert "§4" in problem["detail"] and "R-1.1" in problem["detail"]
    after = await _post(client, keys[Role.REGISTRAR])
    assert after["seq"] == before["seq"] + 1  # nothing was registered, no number taken


async def test_R_1_1_a_helpline_call_is_oral_and_keeps_its_day(client, keys, clock: FrozenClock):
    # The audit's case: a helpline call at 19:00 posted as electronic got the after-hours shift.
    clock.set(at_tashkent(2026, 4, 15, 19))
    h = auth(keys[Role.INTAKE])
    r = await client.post(
        "/api/v1/appeals", json=appeal_body(form="electronic", channel="helpline"), headers=h
    )
    assert r.status_code == 422
    oral = await _post(client, keys[Role.INTAKE], form="oral", channel="helpline")
    assert oral["registered_on"] == "2026-04-15"


def test_R_1_1_the_policy_table_covers_every_channel_and_every_producer_follows_it():
    assert set(FORMS_OF_CHANNEL) == set(Channel)
    assert FORMS_OF_CHANNEL[Channel.HELPLINE] == {Form.ORAL}
    assert FORMS_OF_CHANNEL[Channel.POST] == {Form.WRITTEN}
    # The demo seeder's proportions only draw forms its channels admit.
    for channel, (_, forms) in seed_data.CHANNELS.items():
        assert all(follows_channel(Form(f), Channel(channel)) for f in forms), channel
    # The tests' default body, the benchmark's and every example in the README.
    bodies = [appeal_body()]
    sources = [REPO / "bench" / "bodies.py", REPO / "README.md"]
    pair = re.compile(r'"form":\s*"(\w+)",\s*"channel":\s*"(\w+)"')
    found = [m.groups() for src in sources for m in pair.finditer(src.read_text())]
    assert found, "no example bodies found"
    bodies += [{"form": f, "channel": c} for f, c in found]
    for body in bodies:
        assert follows_channel(Form(body["form"]), Channel(body["channel"])), json.dumps(body)


# --- the year of the book ------------------------------------------------------------------


async def test_R_2_1_paper_received_28_december_entered_4_january_takes_the_new_years_number(
    client, keys, clock: FrozenClock
):
    registrar = keys[Role.REGISTRAR]
    clock.set(at_tashkent(2026, 12, 28, 11))
    old_year = await _post(client, registrar, form="written", channel="post")
    assert old_year["number"].endswith("/26")
    clock.set(at_tashkent(2027, 1, 4, 10))
    received = at_tashkent(2026, 12, 28, 16)
    late = await _post(
        client, registrar, form="written", channel="post", received_at=received.isoformat()
    )
    assert late["year"] == 2027 and late["number"] == f"{late['seq']}/27"
    assert datetime.fromisoformat(late["received_at"]) == received  # the receipt date is kept
    assert late["registered_on"] == "2026-12-28"  # and counting starts from it
    # 15 days from 28 December: 12 January 2027, a Tuesday.
    assert late["due_date"] == "2027-01-12"
    # The closed book of 2026 is not reopened: the next 2026 number was never given.
    nxt = await _post(client, registrar, form="written", channel="post")
    assert (nxt["year"], nxt["seq"]) == (2027, late["seq"] + 1)
    h = auth(registrar)
    r = await client.get(f"/api/v1/appeals/by-number/2027/{late['seq']}", headers=h)
    assert r.status_code == 200 and r.json()["id"] == late["id"]
    r = await client.get(f"/api/v1/appeals/by-number/2026/{old_year['seq'] + 1}", headers=h)
    assert r.status_code == 404
    card = await client.get(f"/api/v1/appeals/{late['id']}/card", headers=h)
    assert card.status_code == 200, card.text
    assert late["number"] in card.text
    listed = await client.get("/api/v1/appeals", params={"limit": 5}, headers=h)
    assert late["id"] in [a["id"] for a in listed.json()["items"]]


# --- the end of working hours ------------------------------------------------------------


@pytest.mark.parametrize(
    ("wall", "start"),
    [
        ((18, 0, 0, 0), "2026-04-15"),  # exactly 18:00:00 is within hours
        ((18, 0, 0, 1), "2026-04-16"),  # a microsecond later is not
        ((8, 59, 59, 999_999), "2026-04-15"),  # before opening: that day (§35)
    ],
    ids=["18:00:00", "18:00:00.000001", "08:59:59.999999"],
)
async def test_R_3_2_the_end_of_hours_through_intake_to_the_microsecond(
    client, keys, clock: FrozenClock, wall, start
):
    # Wednesday 2026-04-15, a working day; Thursday 16 too.
    hour, minute, second, micro = wall
    clock.set(datetime(2026, 4, 15, hour, minute, second, micro, tzinfo=TASHKENT).astimezone(UTC))
    got = await _post(client, keys[Role.INTAKE])
    assert got["registered_on"] == start
    assert _due(got, "answer")["start_on"] == start


# --- after-hours appeals: stages and dates never run backwards ---------------------------------


async def test_R_3_2_an_after_hours_appeal_handled_that_evening_keeps_its_dates_in_order(
    client, staff, clock: FrozenClock
):
    # Thursday 2026-03-19 at 18:30: Friday 20 is Eid al-Fitr, 21 Nowruz, Monday 23 observed.
    clock.set(at_tashkent(2026, 3, 19, 18, 30))
    w = await start(client, staff, clock)
    assert w.appeal["registered_on"] == "2026-03-24"
    clock.set(at_tashkent(2026, 3, 19, 19, 30))  # the same evening, everyone still at work
    await w.route(LEAD)
    registration = w.deadline("registration")
    assert registration["start_on"] == "2026-03-24"
    assert registration["done_on"] is not None
    assert registration["done_on"] >= registration["start_on"]  # not done before it started
    await w.answer()
    got = await w.read()
    assert got["completed_on"] is not None
    assert got["completed_on"] >= got["registered_on"]
    for d in got["deadlines"]:
        assert d["done_on"] is None or d["done_on"] >= d["start_on"], d


# --- what a decree override changes ------------------------------------------------------


async def test_R_3_6_an_override_re_dates_an_e_appeals_start_as_a_fresh_intake_would(
    client, keys, clock: FrozenClock
):
    # Sunday 2026-12-13, 10:00: an e-appeal counts from Monday 14 December.
    received = at_tashkent(2026, 12, 13, 10)
    clock.set(received)
    before = await _post(client, keys[Role.INTAKE])
    assert before["registered_on"] == "2026-12-14"
    assert before["due_date"] == "2026-12-29"
    history_before = await _history(client, keys, before["id"])
    r = await client.put(
        "/api/v1/calendar/overrides/2026-12-14",
        json={"working": False, "reason": "Decree: Monday 14 December a day off (test)"},
        headers=auth(keys[Role.ADMIN]),
    )
    assert r.status_code == 200, r.text
    # A fresh intake of the same instant, now: that is the date the old appeal must have.
    fresh = await _post(
        client, keys[Role.REGISTRAR], received_at=received.isoformat(), external_ref="fresh"
    )
    assert fresh["registered_on"] == "2026-12-15"
    got = await _read(client, keys, before["id"])
    assert got["registered_on"] == fresh["registered_on"]
    assert got["due_date"] == fresh["due_date"] == "2026-12-30"
    for rule in ("registration", "answer"):
        assert _due(got, rule)["start_on"] == "2026-12-15"
        assert _due(got, rule)["due_on"] == _due(fresh, rule)["due_on"]
    history = await _history(client, keys, before["id"])
    assert history[: len(history_before)] == history_before  # nothing recorded is removed
    last = history[-1]
    assert last["action"] == "deadline_recomputed"
    assert last["changes"]["registered_on"] == ["2026-12-14", "2026-12-15"]
    assert last["changes"]["deadlines.answer"] == ["2026-12-29", "2026-12-30"]
    # Removing the override restores the first start: the same inputs give the same date.
    r = await client.delete("/api/v1/calendar/overrides/2026-12-14", headers=auth(keys[Role.ADMIN]))
    assert r.status_code == 204
    back = await _read(client, keys, before["id"])
    assert (back["registered_on"], back["due_date"]) == ("2026-12-14", "2026-12-29")


async def test_R_3_6_an_override_moves_a_deadline_a_manager_fixed_off_its_new_day_off(
    client, keys, staff, clock: FrozenClock
):
    # Written, Tuesday 2026-12-01: 15 days → Wednesday 16 December; extended to Friday 15 Jan.
    clock.set(at_tashkent(2026, 12, 1, 10))
    w = await start(client, staff, clock, form="written", channel="post")
    assert w.appeal["due_date"] == "2026-12-16"
    clock.set(at_tashkent(2026, 12, 2, 10))
    await w.act(
        Role.MANAGER,
        "extend",
        {"due_date": "2027-01-15", "reason": "Documents requested from the district (§36)"},
    )
    history_before = await w.history()
    r = await client.put(
        "/api/v1/calendar/overrides/2027-01-15",
        json={"working": False, "reason": "Decree: Friday 15 January a day off (test)"},
        headers=auth(keys[Role.ADMIN]),
    )
    assert r.status_code == 200, r.text
    assert r.json()["recomputed_deadlines"] >= 1
    got = await w.read()
    answer = _due(got, "answer")
    assert answer["due_on"] == got["due_date"] == "2027-01-18"  # Monday, the next working day
    history = await w.history()
    assert history[: len(history_before)] == history_before
    assert history[-1]["action"] == "deadline_recomputed"
    assert history[-1]["changes"] == {"deadlines.answer": ["2027-01-15", "2027-01-18"]}
