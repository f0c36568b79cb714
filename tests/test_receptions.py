"""Receptions (R-11, §52–60; R-1.7, §35): the published schedule and its iCalendar feed,
personal receptions, mass reception protocols."""

from __future__ import annotations

from datetime import date, datetime

from icalendar import Calendar

from appeals_api.auth.roles import Role
from tests.helpers import auth
from tests.helpers.pages import assert_sealed

R = Role.REGISTRAR
THURSDAY_10 = "2026-03-05T10:00:00+05:00"  # DEFAULT_NOW is Monday 2 March 2026


def schedule_body(**overrides: object) -> dict[str, object]:
    body: dict[str, object] = {
        "official_name": "A. Karimov",
        "official_post": "Deputy Chairman of the Board",
        "kind": "personal",
        "starts_at": THURSDAY_10,
        "ends_at": "2026-03-05T12:00:00+05:00",
        "place": "Almalyk, Amir Temur street 53, room 101",
    }
    body.update(overrides)
    return body


def person(**overrides: object) -> dict[str, object]:
    return {
        "type": "individual",
        "last_name": "Rahimova",
        "first_name": "Dilnoza",
        "address": "Almalyk, Navoi street 12",
        "phone": "+998 90 111 22 33",
    } | overrides


def reception_body(**overrides: object) -> dict[str, object]:
    body: dict[str, object] = {
        "official": {"name": "A. Karimov", "post": "Deputy Chairman of the Board"},
        "person": person(),
        "identity_document": {"type": "passport", "number": "AA1234567"},
        "recording_notice": True,
        "matter": "Water supply to the house is interrupted every evening.",
        "result": "appeal_registered",
        "appeal": {"kind": "complaint", "text": "Water supply is interrupted every evening."},
    }
    body.update(overrides)
    return body


def protocol_body() -> dict[str, object]:
    return {
        "held_on": "2026-03-02",
        "place": "Almalyk, Palace of Culture",
        "officials": [{"name": "B. Yusupov", "post": "Chairman of the Board"}],
        "entries": [
            {
                "name": "Toshmatov Bekzod",
                "residence": "Almalyk, 5th district",
                "summary": "Asked for the bus schedule to the mine.",
                "result": "The schedule was explained.",
                "resolved_on_the_spot": True,
            },
            {
                "name": "Ergasheva Malika",
                "residence": "Olmaliq, Mustaqillik 3",
                "summary": "The road to the settlement is broken after the blasting works.",
                "result": "Registered for consideration.",
                "resolved_on_the_spot": False,
                "kind": "complaint",
            },
        ],
    }


async def test_R_11_1_the_schedule_is_published_as_icalendar(client, keys):
    weekly = schedule_body(weekly={"weekday": 4, "until": "2026-03-26"})
    r = await client.post("/api/v1/receptions/schedule", json=weekly, headers=auth(keys[R]))
    assert r.status_code == 201, r.text
    single = schedule_body(
        kind="mass",
        starts_at="2026-03-10T15:00:00+05:00",
        ends_at="2026-03-10T17:00:00+05:00",
        place="Palace of Culture",
    )
    r = await client.post("/api/v1/receptions/schedule", json=single, headers=auth(keys[R]))
    cancelled_id = r.json()["id"]
    r = await client.patch(
        f"/api/v1/receptions/schedule/{cancelled_id}", json={"cancelled": True},
        headers=auth(keys[R]),
    )  # fmt: skip
    assert r.status_code == 200 and r.json()["cancelled"] is True

    r = await client.get("/api/v1/public/receptions.ics?from=2026-03-01&to=2026-03-31")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/calendar")
    events = Calendar.from_ical(r.content).walk("VEVENT")
    assert len(events) == 5  # four Thursdays and the cancelled mass reception
    starts = sorted(e.decoded("dtstart") for e in events)
    assert [s.isoformat() for s in starts][:2] == [
        "2026-03-05T05:00:00+00:00",
        "2026-03-10T10:00:00+00:00",
    ]
    uids = {str(e["uid"]) for e in events}
    assert len(uids) == 5
    for event in events:
        assert isinstance(event.decoded("dtstamp"), datetime)
        assert event.decoded("dtend") > event.decoded("dtstart")
        assert str(event["location"])
    statuses = {str(e["location"]): str(e["status"]) for e in events}
    assert statuses["Palace of Culture"] == "CANCELLED"
    # The UIDs stay the same from one fetch to the next (calendar clients update, not add).
    again = await client.get("/api/v1/public/receptions.ics?from=2026-03-01&to=2026-03-31")
    assert {str(e["uid"]) for e in Calendar.from_ical(again.content).walk("VEVENT")} == uids
    # The same receptions as data, without a key.
    r = await client.get("/api/v1/public/receptions?from=2026-03-01&to=2026-03-31")
    assert r.status_code == 200
    assert [o["cancelled"] for o in r.json()["items"]].count(True) == 1
    assert {o["uid"] for o in r.json()["items"]} == uids
    kept = await client.get(
        "/api/v1/receptions/schedule?from=2026-03-01&to=2026-03-31", headers=auth(keys[R])
    )
    assert len(kept.json()["items"]) == 2  # the entries themselves, the cancelled one too


async def test_R_11_1_only_the_appeals_department_keeps_the_schedule(client, keys):
    for role in (Role.INTAKE, Role.EXECUTOR, Role.ANALYST):
        r = await client.post(
            "/api/v1/receptions/schedule", json=schedule_body(), headers=auth(keys[role])
        )
        assert r.status_code == 403, role
    assert (
        await client.post("/api/v1/receptions/schedule", json=schedule_body())
    ).status_code == 401
    r = await client.post(
        "/api/v1/receptions/schedule", json=schedule_body(ends_at=THURSDAY_10),
        headers=auth(keys[R]),
    )  # fmt: skip
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/problem+json")
    r = await client.get("/api/v1/public/receptions?since=2026-03-01")
    assert r.status_code == 422  # an unknown query parameter, even without a key


async def test_R_11_2_a_personal_reception_registers_the_oral_appeal_linked(client, keys):
    r = await client.post("/api/v1/receptions", json=reception_body(), headers=auth(keys[R]))
    assert r.status_code == 201, r.text
    reception = r.json()
    assert reception["appeal_number"] and reception["identity_document"]["number"] == "AA1234567"
    r = await client.get(f"/api/v1/appeals/{reception['appeal_id']}", headers=auth(keys[R]))
    appeal = r.json()
    assert appeal["channel"] == "personal_reception" and appeal["form"] == "oral"
    assert appeal["reception_id"] == reception["id"]
    assert appeal["number"] == reception["appeal_number"]
    assert appeal["applicants"][0]["last_name"] == "Rahimova"
    assert appeal["due_date"]


async def test_R_11_2_an_appeal_registered_separately_is_linked(client, keys):
    body = {"kind": "application", "form": "oral", "channel": "personal_reception",
            "language": "uz", "text": "A request.", "applicants": [person()]}  # fmt: skip
    appeal = (await client.post("/api/v1/appeals", json=body, headers=auth(keys[R]))).json()
    r = await client.post(
        "/api/v1/receptions", json=reception_body(appeal=None, appeal_id=appeal["id"]),
        headers=auth(keys[R]),
    )  # fmt: skip
    assert r.status_code == 201, r.text
    read = (await client.get(f"/api/v1/appeals/{appeal['id']}", headers=auth(keys[R]))).json()
    assert read["reception_id"] == r.json()["id"]
    history = await client.get(f"/api/v1/appeals/{appeal['id']}/history", headers=auth(keys[R]))
    assert "linked_to_reception" in [h["action"] for h in history.json()["items"]]


async def test_R_11_2_the_competent_body_is_recorded_with_a_written_answer_owed(client, keys):
    body = reception_body(
        appeal=None, result="explained_competent_body", competent_body="Almalyk city khokimiyat",
        written_answer_requested=True,
    )  # fmt: skip
    r = await client.post("/api/v1/receptions", json=body, headers=auth(keys[R]))
    assert r.status_code == 201, r.text
    assert r.json()["appeal_id"] is None and "§58" in r.json()["note"]
    missing = reception_body(appeal=None, result="explained_competent_body")
    r = await client.post("/api/v1/receptions", json=missing, headers=auth(keys[R]))
    assert r.status_code == 422


async def test_R_11_2_the_identity_document_is_masked_for_a_supervisor(client, keys):
    made = await client.post("/api/v1/receptions", json=reception_body(), headers=auth(keys[R]))
    url = f"/api/v1/receptions/{made.json()['id']}"
    seen = (await client.get(url, headers=auth(keys[Role.SUPERVISOR]))).json()
    assert seen["personal_data_masked"] is True
    assert seen["identity_document"] == {"type": "passport", "number": "***"}
    assert "last_name" not in seen["person"] or seen["person"]["last_name"] is None
    listed = await client.get(
        "/api/v1/receptions?from=2026-03-01&to=2026-03-31", headers=auth(keys[Role.SUPERVISOR])
    )
    assert "AA1234567" not in listed.text and listed.json()["items"]
    full = (await client.get(url, headers=auth(keys[Role.MANAGER]))).json()
    assert full["identity_document"]["number"] == "AA1234567"
    for role in (Role.INTAKE, Role.EXECUTOR):
        r = await client.post("/api/v1/receptions", json=reception_body(), headers=auth(keys[role]))
        assert r.status_code == 403


async def test_R_11_3_R_1_7_a_matter_resolved_on_the_spot_is_no_appeal(client, keys):
    before = await _stats(client, keys)
    r = await client.post("/api/v1/receptions/protocols", json=protocol_body(),
                          headers=auth(keys[R]))  # fmt: skip
    assert r.status_code == 201, r.text
    spot, other = r.json()["entries"]
    assert spot["appeal_id"] is None and spot["appeal_number"] is None
    assert spot["due_date"] is None
    listed = await client.get("/api/v1/appeals?limit=100", headers=auth(keys[R]))
    texts = [a["text"] for a in listed.json()["items"]]
    assert "Asked for the bus schedule to the mine." not in texts
    after = await _stats(client, keys)
    assert after["resolved_at_reception"] == before["resolved_at_reception"] + 1
    assert after["received"] == before["received"] + 1  # the other entry only
    assert other["appeal_id"]


async def test_R_11_3_an_entry_not_resolved_becomes_an_appeal_linked_with_its_deadline(
    client, keys
):
    r = await client.post("/api/v1/receptions/protocols", json=protocol_body(),
                          headers=auth(keys[R]))  # fmt: skip
    protocol = r.json()
    entry = protocol["entries"][1]
    appeal = (await client.get(f"/api/v1/appeals/{entry['appeal_id']}",
                               headers=auth(keys[R]))).json()  # fmt: skip
    assert appeal["channel"] == "mass_reception" and appeal["form"] == "oral"
    assert appeal["reception_id"] == protocol["id"]
    assert appeal["number"] == entry["appeal_number"]
    assert date.fromisoformat(entry["due_date"]) == date.fromisoformat(appeal["due_date"])
    assert appeal["applicants"][0]["address"] == "Olmaliq, Mustaqillik 3"


async def test_R_11_3_the_protocol_prints_in_four_languages(client, keys):
    r = await client.post("/api/v1/receptions/protocols", json=protocol_body(),
                          headers=auth(keys[R]))  # fmt: skip
    url = f"/api/v1/receptions/protocols/{r.json()['id']}"
    json_read = await client.get(url, headers=auth(keys[Role.MANAGER]))
    assert json_read.json()["entries"][0]["name"] == "Toshmatov Bekzod"
    pages = {}
    for lang in ("uz", "uz-Cyrl", "ru", "en"):
        page = await client.get(f"{url}?format=html&lang={lang}", headers=auth(keys[R]))
        assert page.status_code == 200
        assert_sealed(page)  # issue 19: no Content-Security-Policy before
        assert "02.03.2026" in page.text and "Ergasheva Malika" in page.text
        pages[lang] = page.text
    assert "Протокол массового приёма" in pages["ru"] and "Mass reception protocol" in pages["en"]
    assert "Ommaviy qabul bayonnomasi" in pages["uz"]
    by_accept = await client.get(url, headers=auth(keys[R]) | {"Accept": "text/html"})
    assert by_accept.headers["content-language"] == "uz"
    masked = await client.get(url, headers=auth(keys[Role.SUPERVISOR]))
    assert "Toshmatov" not in masked.text


async def _stats(client, keys) -> dict[str, int]:
    r = await client.get(
        "/api/v1/stats?from=2026-03-01&to=2026-03-31", headers=auth(keys[Role.ANALYST])
    )
    assert r.status_code == 200, r.text
    answer = r.json()
    received = sum(row["received"] for row in answer["rows"])
    return {"received": received, "resolved_at_reception": answer["resolved_at_reception"]}


async def test_R_1_8_a_retried_reception_registers_its_appeal_once(client, keys, settings):
    """A reception whose appeal was registered but whose own record was lost (its transaction
    failed after intake's committed) is retried with the same Idempotency-Key: the same
    appeal is answered, never a second one; a plain retry of a recorded one answers it."""
    import asyncpg

    headers = {**auth(keys[R]), "Idempotency-Key": "reception-retry-1"}
    first = await client.post("/api/v1/receptions", json=reception_body(), headers=headers)
    assert first.status_code == 201, first.text
    again = await client.post("/api/v1/receptions", json=reception_body(), headers=headers)
    assert again.status_code == 201 and again.json()["id"] == first.json()["id"]
    conn = await asyncpg.connect(settings.database_url)
    try:  # as if the first attempt's own transaction had failed after intake
        await conn.execute("DELETE FROM personal_receptions WHERE id = $1", first.json()["id"])
    finally:
        await conn.close()
    retry = await client.post("/api/v1/receptions", json=reception_body(), headers=headers)
    assert retry.status_code == 201, retry.text
    assert retry.json()["appeal_id"] == first.json()["appeal_id"]
    conn = await asyncpg.connect(settings.database_url)
    try:
        n = await conn.fetchval(
            "SELECT count(*) FROM appeals WHERE reception_id = $1", first.json()["id"]
        )
    finally:
        await conn.close()
    assert n == 1


async def test_R_11_1_a_weekly_rule_runs_three_years_at_most_and_pages_show_their_range(
    client, keys
):
    """A weekly rule to the year 9999 is refused (422, not a feed of 400,000 receptions);
    one of three years publishes only the weeks asked for."""
    body = {
        "official_name": "B. Yusupov", "official_post": "Deputy Chairman", "kind": "personal",
        "starts_at": "2026-12-03T10:00:00+05:00", "ends_at": "2026-12-03T12:00:00+05:00",
        "place": "Almalyk, Amir Temur 53, room 12",
    }  # fmt: skip
    far = {**body, "weekly": {"weekday": 4, "until": "9999-12-30"}}
    r = await client.post("/api/v1/receptions/schedule", json=far, headers=auth(keys[R]))
    assert r.status_code == 422, r.text
    long = {**body, "weekly": {"weekday": 4, "until": "2029-11-29"}}
    r = await client.post("/api/v1/receptions/schedule", json=long, headers=auth(keys[R]))
    assert r.status_code == 201, r.text
    entry = r.json()["id"]
    r = await client.get(
        "/api/v1/public/receptions", params={"from": "2028-01-01", "to": "2028-01-31"}
    )
    assert r.status_code == 200, r.text
    days = [o["starts_at"][:10] for o in r.json()["items"] if o["entry_id"] == entry]
    assert days == ["2028-01-06", "2028-01-13", "2028-01-20", "2028-01-27"]
