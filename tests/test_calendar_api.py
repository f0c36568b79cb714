"""The calendar in force over HTTP, and recomputation when a decree changes it (R-3, R-3.6)."""

from __future__ import annotations

from appeals_api.auth.roles import Role
from tests.helpers import appeal_body, auth


async def test_R_3_working_days_follow_the_uz_calendar(client, keys):
    r = await client.get(
        "/api/v1/calendar/working-days",
        params={"from": "2026-12-07", "to": "2026-12-13"},
        headers=auth(keys[Role.ANALYST]),
    )
    assert r.status_code == 200, r.text
    days = {d["date"]: d for d in r.json()["days"]}
    assert days["2026-12-08"]["working"] is False  # Constitution Day
    assert "Constitution" in days["2026-12-08"]["reason"]
    assert days["2026-12-12"]["working"] is True  # Saturday made working by decree
    assert days["2026-12-13"]["working"] is False
    assert r.json()["working_days"] == 5


async def test_calendar_ranges_are_bounded(client, keys):
    h = auth(keys[Role.ANALYST])
    r = await client.get(
        "/api/v1/calendar/working-days",
        params={"from": "2026-01-01", "to": "2028-01-01"},
        headers=h,
    )
    assert r.status_code == 422
    r = await client.get(
        "/api/v1/calendar/working-days",
        params={"from": "2026-02-01", "to": "2026-01-01"},
        headers=h,
    )
    assert r.status_code == 422


async def test_R_3_3_deadline_by_named_rule(client, keys):
    h = auth(keys[Role.REGISTRAR])
    r = await client.get(
        "/api/v1/calendar/deadline", params={"start": "2026-03-05", "rule": "answer"}, headers=h
    )
    assert r.status_code == 200, r.text
    # 5 March + 15 days = 20 March, Eid al-Fitr; 21 Nowruz, 22 Sunday, 23 observed: 24 March.
    assert r.json()["due_date"] == "2026-03-24"
    assert r.json()["rule"]["clause"] == "§36"
    r = await client.get(
        "/api/v1/calendar/deadline",
        params={"start": "2026-05-26", "rule": "withdrawal_answer"},
        headers=h,
    )
    # 26 May + 3 days = 29 May (day off, as 27-28), then the weekend: Monday 1 June.
    assert r.json()["due_date"] == "2026-06-01"
    r = await client.get(
        "/api/v1/calendar/deadline", params={"start": "2026-05-26", "rule": "nope"}, headers=h
    )
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "rule"
    rules = await client.get("/api/v1/calendar/rules", headers=h)
    assert {x["name"] for x in rules.json()} >= {
        "registration",
        "dispatch",
        "answer",
        "answer_extended_study",
        "proposal_answer",
        "proposal_study_notice",
        "forward",
        "return",
        "withdrawal_answer",
        "clarification",
        "send_response",
    }


async def _events_for(client, keys, appeal_id):
    out, after = [], 0
    while True:
        page = (
            await client.get(
                "/api/v1/events",
                params={"after": after, "limit": 1000},
                headers=auth(keys[Role.ADMIN]),
            )
        ).json()
        out += [e for e in page["items"] if e["appeal_id"] == appeal_id]
        if not page["items"]:
            return out
        after = page["last_id"]


async def test_R_3_6_override_recomputes_open_deadlines_and_publishes(client, keys):
    # Received Monday 2026-03-02 (written): 15 days → Tuesday 2026-03-17.
    created = (
        await client.post(
            "/api/v1/appeals",
            json=appeal_body(form="written", channel="post"),
            headers=auth(keys[Role.INTAKE]),
        )
    ).json()
    assert created["due_date"] == "2026-03-17"
    untouched = (
        await client.post(
            "/api/v1/appeals",
            json=appeal_body(form="written", channel="post", kind="proposal"),
            headers=auth(keys[Role.INTAKE]),
        )
    ).json()
    h = auth(keys[Role.ADMIN])

    r = await client.put(
        "/api/v1/calendar/overrides/2026-03-17",
        json={"working": False, "reason": "Decree No. 1 (test)"},
        headers=h,
    )
    assert r.status_code == 200, r.text
    assert r.json()["recomputed_deadlines"] >= 1
    got = (
        await client.get(f"/api/v1/appeals/{created['id']}", headers=auth(keys[Role.REGISTRAR]))
    ).json()
    assert got["due_date"] == "2026-03-18"
    answer = next(d for d in got["deadlines"] if d["rule"] == "answer")
    assert answer["due_on"] == "2026-03-18"
    events = await _events_for(client, keys, created["id"])
    changed = [e for e in events if e["type"] == "appeal.deadline_changed"]
    assert changed[-1]["data"] == {
        "rule": "answer",
        "previous_due_date": "2026-03-17",
        "due_date": "2026-03-18",
        "reason": "calendar",
    }
    history = (
        await client.get(
            f"/api/v1/appeals/{created['id']}/history", headers=auth(keys[Role.REGISTRAR])
        )
    ).json()["items"]
    assert history[-1]["action"] == "deadline_recomputed"
    assert history[-1]["actor_role"] == "admin"

    # The proposal's month-long deadline (2026-04-02) is not touched by that day.
    still = (
        await client.get(f"/api/v1/appeals/{untouched['id']}", headers=auth(keys[Role.REGISTRAR]))
    ).json()
    assert still["due_date"] == untouched["due_date"]
    assert not [
        e
        for e in await _events_for(client, keys, untouched["id"])
        if e["type"] == "appeal.deadline_changed"
    ]

    # Removing the override restores the package's calendar, and the deadline with it.
    r = await client.delete("/api/v1/calendar/overrides/2026-03-17", headers=h)
    assert r.status_code == 204
    got = (
        await client.get(f"/api/v1/appeals/{created['id']}", headers=auth(keys[Role.REGISTRAR]))
    ).json()
    assert got["due_date"] == "2026-03-17"
    r = await client.delete("/api/v1/calendar/overrides/2026-03-17", headers=h)
    assert r.status_code == 404


async def test_R_3_override_can_make_a_saturday_working(client, keys):
    h = auth(keys[Role.REGISTRAR])
    r = await client.put(
        "/api/v1/calendar/overrides/2026-02-07",
        json={"working": True, "reason": "Working Saturday by decree (test)"},
        headers=h,
    )
    assert r.status_code == 200
    r = await client.get(
        "/api/v1/calendar/working-days",
        params={"from": "2026-02-07", "to": "2026-02-07"},
        headers=h,
    )
    assert r.json()["days"][0]["working"] is True
    listed = (await client.get("/api/v1/calendar/overrides", headers=h)).json()["items"]
    assert any(o["day"] == "2026-02-07" and o["working"] for o in listed)
    r = await client.put("/api/v1/calendar/overrides/2026-02-08", json={"working": True}, headers=h)
    assert r.status_code == 422
