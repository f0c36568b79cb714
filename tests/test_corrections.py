"""Corrections of registration data over HTTP (R-12.2): `If-Match`, the reason, before → after
in the history (masked for those who may not see personal data, R-8.2), the fields the server
owns, and a kind whose answer rule differs (R-3.6) without removing a violation (R-9.4)."""

from __future__ import annotations

from typing import Any

import pytest_asyncio

from appeals_api.auth.roles import Role
from tests.helpers import at_tashkent, auth
from tests.helpers.lifecycle import LEAD, Staff, Walk, make_staff, start
from tests.helpers.violations import routed, run_watch, stored, violations


@pytest_asyncio.fixture
async def staff(client, keys, make_key) -> Staff:
    return await make_staff(client, keys, make_key)


async def _patch(
    w: Walk, body: dict[str, Any], *, who: Role | str = Role.REGISTRAR, if_match: str | None = None
):
    headers = auth(w.staff.key(who))
    if if_match is not None:
        headers["If-Match"] = if_match
    return await w.client.patch(f"/api/v1/appeals/{w.id}", json=body, headers=headers)


async def _history(w: Walk, who: Role | str) -> list[dict[str, Any]]:
    r = await w.client.get(f"/api/v1/appeals/{w.id}/history", headers=auth(w.staff.key(who)))
    assert r.status_code == 200, r.text
    return list(r.json()["items"])


FIXED_NAME = [
    {
        "type": "individual",
        "last_name": "Karimova",
        "first_name": "Aziza",
        "address": "Almalyk, Navoi street 5",
    }
]


async def test_R_12_2_a_stale_etag_is_412_and_a_good_one_writes_the_history(client, staff, clock):
    clock.set(at_tashkent(2026, 3, 2))
    w = await start(client, staff, clock)
    etag = await w.etag()
    await w.act(Role.MANAGER, "resolve", {"units": [LEAD], "instruction": "Answer."})
    stale = await _patch(w, {"summary": "Dust", "reason": "missing summary"}, if_match=etag)
    assert stale.status_code == 412, stale.text
    assert stale.headers["content-type"].startswith("application/problem+json")
    good = await w.etag()
    r = await _patch(
        w,
        {"applicants": FIXED_NAME, "summary": "Dust", "reason": "name misspelt at intake"},
        if_match=good,
    )
    assert r.status_code == 200, r.text
    assert r.headers["ETag"] != good
    assert r.json()["summary"] == "Dust" and r.json()["applicants"][0]["last_name"] == "Karimova"
    row = (await _history(w, Role.REGISTRAR))[-1]
    assert row["action"] == "correct" and row["note"] == "name misspelt at intake"
    assert row["changes"]["summary"] == [None, "Dust"]
    before, after = row["changes"]["applicants"]
    assert before[0]["last_name"] == "Karimov" and after[0]["last_name"] == "Karimova"
    # The reason is required; unknown fields are refused.
    assert (await _patch(w, {"summary": "x"})).status_code == 422
    assert (await _patch(w, {"summray": "x", "reason": "typo"})).status_code == 422


async def test_R_12_2_number_and_receipt_instant_are_server_owned(client, staff, clock):
    clock.set(at_tashkent(2026, 3, 3))
    w = await start(client, staff, clock)
    for field, value in (
        ("number", "99/26"),
        ("received_at", "2026-03-01T10:00:00+05:00"),
        ("seq", 99),
        ("status", "closed"),
        ("text", "rewritten"),
    ):
        r = await _patch(w, {field: value, "reason": "try"})
        assert r.status_code == 422, (field, r.text)
        assert [e["field"] for e in r.json()["errors"]] == [field]
        assert "server" in r.json()["detail"] and field in r.json()["detail"]
    appeal = await w.read()
    assert appeal["number"] == w.appeal["number"]
    assert appeal["received_at"] == w.appeal["received_at"]


async def test_R_12_2_only_registrar_and_manager_correct(client, staff, clock):
    clock.set(at_tashkent(2026, 3, 4))
    w = await start(client, staff, clock)
    await w.route(LEAD)
    for who in (Role.SUPERVISOR, "lead"):
        r = await _patch(w, {"summary": "x", "reason": "r"}, who=who)
        assert r.status_code == 403, (who, r.text)
    r = await _patch(w, {"summary": "by the manager", "reason": "r"}, who=Role.MANAGER)
    assert r.status_code == 200, r.text


async def test_R_12_2_a_kind_change_recomputes_the_answer_rule_and_keeps_violations(
    client, settings, staff, clock
):
    w = await routed(client, staff, clock, 5, 4)  # a complaint: 15 days, due 2026-05-19
    assert w.deadline("answer")["due_on"] == "2026-05-19"
    w.at(5, 21)
    await run_watch(settings, at_tashkent(2026, 5, 21, 9))
    assert await stored(settings, w.id) == [("answer", "2026-05-19", "deadline watch")]
    r = await _patch(w, {"kind": "proposal", "reason": "a proposal, registered as a complaint"})
    assert r.status_code == 200, r.text
    appeal = r.json()
    assert appeal["kind"] == "proposal" and appeal["answer_rule"] == "proposal_answer"
    assert appeal["due_date"] == "2026-06-04"  # a month from 2026-05-04 (§37)
    # The violation of the 15 days stays, in the appeal and in the store.
    assert violations(appeal) == [("answer", "2026-05-19")]
    assert await stored(settings, w.id) == [("answer", "2026-05-19", "deadline watch")]
    cancelled = [d for d in appeal["deadlines"] if d["rule"] == "answer"]
    assert cancelled and cancelled[-1]["cancelled"] is True
    row = (await _history(w, Role.REGISTRAR))[-1]
    assert row["changes"]["kind"] == ["complaint", "proposal"]
    assert row["changes"]["due_date"] == ["2026-05-19", "2026-06-04"]
    # Back to a complaint: 15 days again, both violations' records untouched.
    r = await _patch(w, {"kind": "complaint", "reason": "it was a complaint after all"})
    assert r.json()["answer_rule"] == "answer" and r.json()["due_date"] == "2026-05-19"
    assert ("answer", "2026-05-19") in violations(r.json())


async def test_R_12_2_history_masks_a_confidential_correction_for_an_executor(client, staff, clock):
    clock.set(at_tashkent(2026, 3, 5))
    w = await start(client, staff, clock, confidential=True)
    await w.route(LEAD)
    r = await _patch(w, {"applicants": FIXED_NAME, "reason": "name misspelt"})
    assert r.status_code == 200, r.text
    for who in ("lead", Role.SUPERVISOR):
        row = (await _history(w, who))[-1]
        before, after = row["changes"]["applicants"]
        assert before == [{"type": "individual"}] and after == [{"type": "individual"}], who
        assert "Karimov" not in str(row)
    row = (await _history(w, Role.MANAGER))[-1]
    assert row["changes"]["applicants"][1][0]["last_name"] == "Karimova"
    log = await client.get(
        f"/api/v1/access-log?appeal_id={w.id}", headers=auth(staff.keys[Role.ADMIN])
    )
    assert log.status_code == 200, log.text
    assert "history" in {x["via"] for x in log.json()["items"]}
