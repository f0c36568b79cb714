"""§16 (R-3.5): a complaint to a higher authority filed more than a year after the applicant
learned of the violation is registered and flagged; it may be left without consideration on
that ground unless a manager restores the term. §23: a collegial hearing recorded as a measure.
Over HTTP, as the frontends use them."""

from __future__ import annotations

from typing import Any

import pytest_asyncio

from appeals_api.auth.roles import Role
from tests.helpers import appeal_body, at_tashkent, auth
from tests.helpers.lifecycle import LEAD, Staff, Walk, make_staff, start

LATE_GROUND = {"ground": "late_complaint", "conclusion": "Filed more than a year late (§16)."}


@pytest_asyncio.fixture
async def staff(client, keys, make_key) -> Staff:
    return await make_staff(client, keys, make_key)


async def _filed(client, staff, clock, learned_on: str, **overrides: Any) -> Walk:
    # 00:30 in Tashkent is still 1 March in UTC: the year is counted by the Tashkent date.
    clock.set(at_tashkent(2026, 3, 2, 0, 30))
    return await start(client, staff, clock, violation_learned_on=learned_on, **overrides)


async def _card(w: Walk, **params: str) -> Any:
    r = await w.client.get(
        f"/api/v1/appeals/{w.id}/card", headers=auth(w.staff.key(Role.SUPERVISOR)), params=params
    )
    assert r.status_code == 200, r.text
    return r.json() if not params else r.text


async def test_R_3_5_filed_a_year_and_a_day_after_learning_is_registered_and_flagged(
    client, staff, clock
):
    w = await _filed(client, staff, clock, "2025-03-01")
    created = w.appeal
    assert created["number"] and created["status"] == "registered"  # never refused
    assert created["violation_learned_on"] == "2025-03-01" and created["filed_late"] is True
    assert created["term_restored"] is None
    read = await w.read()
    assert read["filed_late"] is True
    late = (await _card(w))["front"]["late_complaint"]
    assert late == {
        "violation_learned_on": "2025-03-01",
        "term_restored_by": None,
        "term_restored_on": None,
    }
    page = await _card(w, format="html", lang="en")
    assert "Filed after the one-year term (§16)" in page and "01.03.2025" in page


async def test_R_3_5_filed_exactly_a_year_after_learning_is_not_flagged(client, staff, clock):
    w = await _filed(client, staff, clock, "2025-03-02")
    assert w.appeal["filed_late"] is False
    assert (await _card(w))["front"]["late_complaint"] is None
    refused = await w.act(Role.MANAGER, "leave_without_consideration", LATE_GROUND, expect=409)
    assert "§16" in refused["detail"] and "R-3.5" in refused["detail"]
    refused = await w.act(Role.MANAGER, "restore_term", {"reason": "x"}, expect=409)
    assert "§16" in refused["detail"]
    assert "restore_term" not in await w.allowed(Role.MANAGER)


async def test_R_3_5_a_late_complaint_not_restored_is_left_without_consideration(
    client, staff, clock
):
    w = await _filed(client, staff, clock, "2024-12-31")
    assert "restore_term" in await w.allowed(Role.MANAGER)
    await w.act(Role.MANAGER, "leave_without_consideration", LATE_GROUND)
    assert w.appeal["status"] == "left_without_consideration"
    assert w.appeal["disposal"]["ground"] == "late_complaint"


async def test_R_3_5_a_restored_term_refuses_the_late_ground(client, staff, clock):
    w = await _filed(client, staff, clock, "2024-06-01")
    await w.act(Role.REGISTRAR, "restore_term", {"reason": "In hospital"}, expect=403)
    w.at(3, 3)
    reason = "The applicant was in hospital for five months (certificate attached)."
    await w.act(Role.MANAGER, "restore_term", {"reason": reason})
    restored = w.appeal["term_restored"]
    assert restored["on"] == "2026-03-03" and restored["reason"] == reason
    assert w.appeal["filed_late"] is True  # the fact stays; the ground is gone
    entry = (await w.history())[-1]
    assert entry["action"] == "restore_term" and entry["note"] == reason
    assert entry["changes"]["term_restored"][0] is None

    refused = await w.act(Role.MANAGER, "leave_without_consideration", LATE_GROUND, expect=409)
    assert "§16" in refused["detail"] and "restored" in refused["detail"]
    again = await w.act(Role.MANAGER, "restore_term", {"reason": "again"}, expect=409)
    assert "allaqachon tiklangan" in again["detail"]  # "restored already", in uz (the default)
    late = (await _card(w))["front"]["late_complaint"]
    assert late["term_restored_on"] == "2026-03-03" and late["term_restored_by"]
    # Another ground of §46 still applies as before.
    await w.act(
        Role.MANAGER,
        "leave_without_consideration",
        {"ground": "other", "conclusion": "Not an appeal within the company's remit."},
    )


async def test_R_3_5_violation_learned_on_is_refused_on_a_proposal_and_after_receipt(
    client, staff, clock
):
    clock.set(at_tashkent(2026, 3, 2))
    headers = auth(staff.keys[Role.REGISTRAR])

    for body, where in (
        (appeal_body(kind="proposal", violation_learned_on="2025-01-01"), "violation_learned_on"),
        (appeal_body(violation_learned_on="2026-03-03"), "violation_learned_on"),
    ):
        r = await client.post("/api/v1/appeals", json=body, headers=headers)
        assert r.status_code == 422, r.text
        assert r.headers["content-type"].startswith("application/problem+json")
        assert where in r.text


async def test_S23_a_collegial_hearing_with_other_bodies_is_recorded_as_a_measure(
    client, staff, clock
):
    clock.set(at_tashkent(2026, 3, 2))
    w = await start(client, staff, clock)
    await w.route(LEAD)
    w.at(3, 5)
    hearing = {
        "type": "collegial_hearing",
        "held_on": "2026-03-05",
        "description": "The dust from the tailings, heard together with the city's bodies.",
        "bodies": ["Almalyk city khokimiyat", "Ecology inspection of Tashkent region"],
        "place": "Almalyk, Amir Temur street 53, room 12",
        "result": "A joint inspection of the tailings is scheduled.",
        "result_on": "2026-03-05",
    }
    missing = {**hearing, "bodies": []}
    refused = await w.act(Role.REGISTRAR, "record_measure", missing, expect=422)
    assert "§23" in str(refused)
    await w.act(Role.REGISTRAR, "record_measure", hearing)
    noted = (await w.history())[-1]["changes"]["measures"][1]
    assert noted["type"] == "collegial_hearing" and noted["bodies"] == hearing["bodies"]
    assert noted["place"] == hearing["place"] and noted["result"] == hearing["result"]
    (measure,) = (await _card(w))["reverse"]["measures"]
    assert measure["bodies"] == hearing["bodies"] and measure["place"] == hearing["place"]
    page = await _card(w, format="html", lang="ru")
    assert "коллегиальное рассмотрение (§23)" in page
    assert "Almalyk city khokimiyat; Ecology inspection" in page
