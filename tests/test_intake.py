"""Intake (R-1), registration (R-2.1) and the deadlines set at registration (R-3.2, R-3.3)."""

from __future__ import annotations

import asyncio
import itertools
import json
import uuid

import httpx
import pytest

from appeals_api.appeals.channels import FORMS_OF_CHANNEL
from appeals_api.auth.roles import Role
from appeals_api.clock import FrozenClock
from tests.helpers import appeal_body, at_tashkent, auth

KINDS = ["application", "proposal", "complaint"]
FORMS = ["oral", "written", "electronic"]
CHANNELS = [
    "website",
    "helpline",
    "post",
    "email",
    "personal_reception",
    "mass_reception",
    "presidential_virtual_reception",
    "government_portal",
    "mass_media",
    "other",
]


async def test_R_1_1_every_kind_form_and_channel_is_registered(client, keys):
    # Every pair of form and channel the channel admits (§4), twice, the kinds taken in turn.
    pairs = [(f.value, c.value) for c, forms in FORMS_OF_CHANNEL.items() for f in sorted(forms)]
    assert {f for f, _ in pairs} == set(FORMS) and {c for _, c in pairs} == set(CHANNELS)
    for kind, (form, channel) in zip(itertools.cycle(KINDS), pairs + pairs, strict=False):
        r = await client.post(
            "/api/v1/appeals",
            json=appeal_body(kind=kind, form=form, channel=channel),
            headers=auth(keys[Role.INTAKE]),
        )
        assert r.status_code == 201, r.text
        got = r.json()
        assert (got["kind"], got["form"], got["channel"]) == (kind, form, channel)
        assert got["status"] == "registered"
        assert got["number"] == f"{got['seq']}/26"


async def test_R_1_2_legal_entity_and_collective_appeal_with_designated_addressee(client, keys):
    applicants = [
        {"type": "legal_entity", "name": "Olmaliq Textile LLC", "address": "Almalyk, Industrial 1"},
        {
            "type": "individual",
            "last_name": "Usmonova",
            "first_name": "Dilnoza",
            "address": "Olmaliq 3",
        },
    ]
    r = await client.post(
        "/api/v1/appeals",
        json=appeal_body(applicants=applicants, respond_to=1),
        headers=auth(keys[Role.INTAKE]),
    )
    assert r.status_code == 201, r.text
    got = r.json()
    assert [a["type"] for a in got["applicants"]] == ["legal_entity", "individual"]
    assert got["respond_to"] == 1
    assert got["checks"]["anonymity"] is False

    r = await client.post(
        "/api/v1/appeals",
        json=appeal_body(applicants=applicants, respond_to=2),
        headers=auth(keys[Role.INTAKE]),
    )
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/problem+json")


async def test_R_1_3_representative_without_authority_documents_is_flagged(client, keys):
    r = await client.post(
        "/api/v1/appeals",
        json=appeal_body(
            representative={"name": "Advocate Rustamov", "authority_documents": False}
        ),
        headers=auth(keys[Role.INTAKE]),
    )
    assert r.status_code == 201, r.text
    assert r.json()["checks"]["authority_documents"] is True
    assert r.json()["representative"]["name"] == "Advocate Rustamov"

    r = await client.post(
        "/api/v1/appeals",
        json=appeal_body(
            representative={
                "name": "Parent",
                "legal_representative": True,
                "authority_documents": True,
            }
        ),
        headers=auth(keys[Role.INTAKE]),
    )
    assert r.json()["checks"]["authority_documents"] is False


@pytest.mark.parametrize(
    "applicants",
    [
        [],
        [{"type": "individual", "first_name": "Aziz"}],
        [{"type": "individual", "last_name": "Karimov", "first_name": "Aziz"}],
        [{"type": "legal_entity", "name": "Some LLC"}],
    ],
    ids=["no-applicant", "first-name-only", "no-address", "entity-no-address"],
)
async def test_R_1_5_appeal_without_name_or_address_is_registered_and_flagged(
    client, keys, applicants
):
    r = await client.post(
        "/api/v1/appeals", json=appeal_body(applicants=applicants), headers=auth(keys[Role.INTAKE])
    )
    assert r.status_code == 201, r.text
    assert r.json()["checks"]["anonymity"] is True
    assert r.json()["seq"] >= 1


def _problem(r: httpx.Response, status: int) -> dict[str, object]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    body = r.json()
    assert body["status"] == status and body["title"] and body["detail"] and body["type"]
    return body


def _fields(problem: dict[str, object]) -> set[str]:
    errors = problem.get("errors")
    assert isinstance(errors, list)
    return {e["field"] for e in errors}


async def test_R_1_5_what_is_not_an_appeal_is_refused_with_the_fields_named(client, keys):
    h = auth(keys[Role.INTAKE])
    body = appeal_body()
    del body["text"]
    assert "text" in _fields(
        _problem(await client.post("/api/v1/appeals", json=body, headers=h), 422)
    )
    blank = appeal_body(text="   \n ")
    assert "text" in _fields(
        _problem(await client.post("/api/v1/appeals", json=blank, headers=h), 422)
    )
    bad = appeal_body(kind="petition", channel="pigeon")
    assert {"kind", "channel"} <= _fields(
        _problem(await client.post("/api/v1/appeals", json=bad, headers=h), 422)
    )
    nul = appeal_body(text="dust\x00here")
    assert "text" in _fields(
        _problem(await client.post("/api/v1/appeals", json=nul, headers=h), 422)
    )


async def test_malformed_json_is_a_problem_not_a_500(client, keys):
    r = await client.post(
        "/api/v1/appeals",
        content=b'{"kind": "complaint", ',
        headers={**auth(keys[Role.INTAKE]), "content-type": "application/json"},
    )
    _problem(r, 400)
    r = await client.post(
        "/api/v1/appeals",
        content=b"[1, 2, 3]",
        headers={**auth(keys[Role.INTAKE]), "content-type": "application/json"},
    )
    _problem(r, 422)


@pytest.mark.parametrize("field", ["number", "status", "due_date", "deadlines", "seq", "colour"])
async def test_unknown_and_server_owned_fields_are_refused(client, keys, field):
    r = await client.post(
        "/api/v1/appeals", json=appeal_body(**{field: "x"}), headers=auth(keys[Role.INTAKE])
    )
    assert field in _fields(_problem(r, 422))


async def test_body_over_one_mebibyte_is_413(client, keys):
    big = appeal_body(text="x" * (1024 * 1024 + 10))
    r = await client.post("/api/v1/appeals", json=big, headers=auth(keys[Role.INTAKE]))
    _problem(r, 413)


async def test_R_1_8_retry_with_same_key_returns_the_first_answer(client, keys):
    h = {**auth(keys[Role.INTAKE]), "Idempotency-Key": str(uuid.uuid4())}
    first = await client.post("/api/v1/appeals", json=appeal_body(), headers=h)
    # Same meaning, other bytes: keys reordered.
    body = json.dumps(dict(reversed(list(appeal_body().items()))))
    again = await client.post(
        "/api/v1/appeals", content=body, headers={**h, "content-type": "application/json"}
    )
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers

    other = await client.post("/api/v1/appeals", json=appeal_body(text="another"), headers=h)
    assert _problem(other, 422)["code"] == "idempotency_key_reused"


async def test_R_1_8_concurrent_retries_create_one_appeal(client, keys):
    key = "retry-" + uuid.uuid4().hex
    h = {**auth(keys[Role.INTAKE]), "Idempotency-Key": key}
    body = appeal_body(external_ref=key)  # tells this test's appeals from the module's others
    answers = await asyncio.gather(
        *(client.post("/api/v1/appeals", json=body, headers=h) for _ in range(25))
    )
    assert {r.status_code for r in answers} == {201}
    assert len({r.json()["id"] for r in answers}) == 1
    assert len({r.json()["tracking_code"] for r in answers}) == 1
    day = "2026-03-02"  # the clock's day (DEFAULT_NOW)
    listed = await client.get(
        "/api/v1/appeals",
        params={"received_from": day, "received_to": day, "limit": 1000},
        headers=auth(keys[Role.REGISTRAR]),
    )
    assert listed.json()["next_cursor"] is None
    mine = [a["id"] for a in listed.json()["items"] if a["external_ref"] == key]
    assert mine == [answers[0].json()["id"]]


async def test_R_1_8_a_keyless_retry_naming_its_channel_reference_is_answered_not_repeated(
    client, keys
):
    """Issue 19 (1): a client without Idempotency-Keys that resends after a time-out got a
    second appeal. Its channel's own reference (`external_ref`) with the same body is now its
    key: answered with the first answer. Another body under the same reference, or no
    reference, is a new appeal (never a 409: a reference may be reused)."""
    h = auth(keys[Role.INTAKE])
    ref = "helpline-" + uuid.uuid4().hex
    first = await client.post("/api/v1/appeals", json=appeal_body(external_ref=ref), headers=h)
    again = await client.post("/api/v1/appeals", json=appeal_body(external_ref=ref), headers=h)
    assert first.status_code == again.status_code == 201, again.text
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    other = await client.post(
        "/api/v1/appeals", json=appeal_body(external_ref=ref, text="another"), headers=h
    )
    assert other.status_code == 201 and other.json()["id"] != first.json()["id"]
    bare = [await client.post("/api/v1/appeals", json=appeal_body(), headers=h) for _ in "ab"]
    assert bare[0].json()["id"] != bare[1].json()["id"]  # no reference: each one registered


async def test_idempotency_keys_are_per_client(client, keys, make_key):
    other_intake = await make_key(Role.INTAKE, name="helpline")
    key = "shared-" + uuid.uuid4().hex
    a = await client.post(
        "/api/v1/appeals",
        json=appeal_body(),
        headers={**auth(keys[Role.INTAKE]), "Idempotency-Key": key},
    )
    b = await client.post(
        "/api/v1/appeals",
        json=appeal_body(),
        headers={**auth(other_intake), "Idempotency-Key": key},
    )
    assert a.json()["id"] != b.json()["id"]


async def test_backdating_needs_the_registrar_role(client, keys):
    past = at_tashkent(2026, 2, 20, 11).isoformat()
    r = await client.post(
        "/api/v1/appeals", json=appeal_body(received_at=past), headers=auth(keys[Role.INTAKE])
    )
    _problem(r, 403)
    r = await client.post(
        "/api/v1/appeals",
        json=appeal_body(received_at=past, form="written", channel="post"),
        headers=auth(keys[Role.REGISTRAR]),
    )
    assert r.status_code == 201, r.text
    assert r.json()["registered_on"] == "2026-02-20"
    ancient = "0001-01-01T00:00:00+00:00"
    r = await client.post(
        "/api/v1/appeals", json=appeal_body(received_at=ancient), headers=auth(keys[Role.REGISTRAR])
    )
    assert "received_at" in _fields(_problem(r, 422))
    future = at_tashkent(2026, 3, 9).isoformat()
    r = await client.post(
        "/api/v1/appeals", json=appeal_body(received_at=future), headers=auth(keys[Role.REGISTRAR])
    )
    assert "received_at" in _fields(_problem(r, 422))


async def test_R_2_1_numbers_are_gapless_and_unique_under_concurrent_intake(client, keys):
    h = auth(keys[Role.INTAKE])
    # The module's other tests number appeals of 2026 too: count on from the last one.
    before = (await client.post("/api/v1/appeals", json=appeal_body(), headers=h)).json()["seq"]
    answers = await asyncio.gather(
        *(client.post("/api/v1/appeals", json=appeal_body(), headers=h) for _ in range(120))
    )
    assert all(r.status_code == 201 for r in answers), {r.status_code for r in answers}
    seqs = sorted(r.json()["seq"] for r in answers)
    assert seqs == list(range(before + 1, before + 121))
    assert {r.json()["year"] for r in answers} == {2026}
    # Registration order: a higher number was never received before a lower one.
    later = await client.post("/api/v1/appeals", json=appeal_body(), headers=h)
    assert later.json()["seq"] == before + 121


async def test_R_2_1_numbering_restarts_each_tashkent_year(client, keys, clock: FrozenClock):
    h = auth(keys[Role.INTAKE])
    clock.set(at_tashkent(2026, 12, 31, 23, 30))
    last = await client.post("/api/v1/appeals", json=appeal_body(), headers=h)
    # 19:30 UTC on 31 December is already 1 January in Tashkent.
    clock.set(at_tashkent(2027, 1, 1, 0, 30))
    first = await client.post("/api/v1/appeals", json=appeal_body(), headers=h)
    assert last.json()["year"] == 2026 and last.json()["number"] == f"{last.json()['seq']}/26"
    assert (first.json()["year"], first.json()["seq"], first.json()["number"]) == (2027, 1, "1/27")


async def test_R_2_1_a_failed_intake_leaves_no_gap(client, keys):
    h = auth(keys[Role.INTAKE])
    one = await client.post("/api/v1/appeals", json=appeal_body(), headers=h)
    bad = await client.post("/api/v1/appeals", json=appeal_body(kind="x"), headers=h)
    two = await client.post("/api/v1/appeals", json=appeal_body(), headers=h)
    assert bad.status_code == 422
    assert two.json()["seq"] == one.json()["seq"] + 1


async def test_R_3_2_electronic_appeal_after_hours_counts_from_next_working_day(
    client, keys, clock: FrozenClock
):
    h = auth(keys[Role.INTAKE])
    # Friday 2026-03-20 is Eid al-Fitr, Saturday 21 Nowruz, Monday 23 observed: Tuesday 24.
    clock.set(at_tashkent(2026, 3, 19, 18, 5))
    r = await client.post("/api/v1/appeals", json=appeal_body(form="electronic"), headers=h)
    got = r.json()
    assert got["registered_on"] == "2026-03-24"
    deadlines = {d["rule"]: d for d in got["deadlines"]}
    # answer: 15 days from the start, 2026-04-08 is a Wednesday.
    assert deadlines["answer"]["due_on"] == got["due_date"] == "2026-04-08"
    assert deadlines["answer"]["clause"] == "§36"
    assert deadlines["registration"]["due_on"] == "2026-03-25"
    # A paper letter taken in at the same moment keeps the day of receipt.
    r = await client.post(
        "/api/v1/appeals", json=appeal_body(form="written", channel="post"), headers=h
    )
    assert r.json()["registered_on"] == "2026-03-19"
    assert r.json()["due_date"] == "2026-04-03"


async def test_R_3_3_proposal_is_answered_within_a_month(client, keys, clock: FrozenClock):
    clock.set(at_tashkent(2026, 1, 30, 11))
    r = await client.post(
        "/api/v1/appeals",
        json=appeal_body(kind="proposal", form="written", channel="post"),
        headers=auth(keys[Role.INTAKE]),
    )
    got = r.json()
    assert got["answer_rule"] == "proposal_answer"
    # One month from 30 January ends on 28 February, a Saturday: Monday 2 March.
    assert got["due_date"] == "2026-03-02"


async def test_R_2_3_repeat_appeal_records_the_previous_number_and_date(
    client, keys, clock: FrozenClock
):
    h = auth(keys[Role.INTAKE])
    clock.set(at_tashkent(2026, 4, 1))
    first = (await client.post("/api/v1/appeals", json=appeal_body(), headers=h)).json()
    clock.set(at_tashkent(2026, 5, 4))
    related = {"relation": "repeat", "year": 2026, "number": first["seq"]}
    r = await client.post("/api/v1/appeals", json=appeal_body(related=related), headers=h)
    got = r.json()["related"]
    assert got["appeal_id"] == first["id"]
    assert got["received_on"] == "2026-04-01"
    assert got["display"] == first["number"]
    unknown = {"relation": "duplicate", "year": 2019, "number": 77}
    r = await client.post("/api/v1/appeals", json=appeal_body(related=unknown), headers=h)
    assert r.status_code == 201
    assert r.json()["related"]["appeal_id"] is None


async def test_registration_writes_history_and_event(client, keys):
    r = await client.post("/api/v1/appeals", json=appeal_body(), headers=auth(keys[Role.INTAKE]))
    appeal = r.json()
    history = await client.get(
        f"/api/v1/appeals/{appeal['id']}/history", headers=auth(keys[Role.REGISTRAR])
    )
    entries = history.json()["items"]
    assert [e["action"] for e in entries] == ["registered"]
    assert entries[0]["actor_role"] == "intake"
    assert entries[0]["changes"] == {"status": [None, "registered"]}
    feed = await client.get(
        "/api/v1/events", params={"limit": 1000}, headers=auth(keys[Role.ADMIN])
    )
    mine = [e for e in feed.json()["items"] if e["appeal_id"] == appeal["id"]]
    while feed.json()["items"] and not mine:
        feed = await client.get(
            "/api/v1/events",
            params={"after": feed.json()["last_id"], "limit": 1000},
            headers=auth(keys[Role.ADMIN]),
        )
        mine = [e for e in feed.json()["items"] if e["appeal_id"] == appeal["id"]]
    assert [e["type"] for e in mine] == ["appeal.registered"]
    assert mine[0]["data"]["number"] == appeal["number"]
    assert mine[0]["data"]["due_date"] == appeal["due_date"]
    assert "Karimov" not in json.dumps(mine[0])


async def test_R_2_4_and_R_1_6_control_and_envelope_check_are_recorded(client, keys):
    body = appeal_body(
        form="written",
        channel="post",
        control={"type": "higher_body", "body": "Presidential Virtual Reception"},
        paper={"sheets": 3, "attachments": 1, "envelope_check": "attachments_missing"},
    )
    r = await client.post("/api/v1/appeals", json=body, headers=auth(keys[Role.REGISTRAR]))
    assert r.status_code == 201, r.text
    got = r.json()
    assert got["control"]["type"] == "higher_body"
    assert got["control"]["body"] == "Presidential Virtual Reception"
    assert got["paper"]["envelope_check"] == "attachments_missing"
    no_body = appeal_body(control={"type": "higher_body"})
    r = await client.post("/api/v1/appeals", json=no_body, headers=auth(keys[Role.REGISTRAR]))
    assert r.status_code == 422


async def test_chunked_body_over_the_limit_is_413_too(client, keys):
    async def chunks():
        yield b'{"kind": "complaint", "text": "'
        for _ in range(40):
            yield b"x" * 32768
        yield b'"}'

    r = await client.post(
        "/api/v1/appeals",
        content=chunks(),
        headers={**auth(keys[Role.INTAKE]), "content-type": "application/json"},
    )
    _problem(r, 413)


def test_issue_7_the_intake_answer_is_what_a_read_of_the_appeal_gives(settings):
    """Intake builds its answer without re-validating it (issue 7): it must still be exactly the
    `AppealRead` a reader gets for the same row, every nested field included (R-1)."""
    import json
    from datetime import UTC, datetime

    from pydantic_core import to_json

    from appeals_api.appeals.intake import plan as service
    from appeals_api.appeals.reading.fields import Row, to_read
    from appeals_api.appeals.schemas import AppealCreate
    from appeals_api.calendar.workdays import WorkCalendar

    data = AppealCreate.model_validate(
        appeal_body(
            representative={"name": "Tursunov"},
            paper={"sheets": 3},
            summary="Dust",
            addressee="Chairman",
        )
    )
    now = datetime(2026, 3, 2, 5, 0, tzinfo=UTC)
    plan = service.plan_registration(
        settings, data=data, received_at=now, related=None, now=now,
        calendar=WorkCalendar(weekend=frozenset(settings.weekend)),
    )  # fmt: skip
    row = Row(**plan.values, **service._UNSET_AT_REGISTRATION)
    deadlines = [Row(done_on=None, fixed=False, cancelled=False, **d) for d in plan.deadlines]
    read = to_read(row, deadlines, today=now.date(), tz=settings.tz).model_dump(mode="json")
    del read["seq"], read["number"]
    answer = json.loads(to_json(plan.body))
    assert answer.pop("tracking_code")
    assert answer == read
    assert answer["representative"]["address"] is None  # dumped whole, as a read shows it
