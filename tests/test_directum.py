"""DIRECTUM (R-4.2): dispatch is delivered to a real local HTTP receiver standing in for
DIRECTUM, retried until acknowledged, with its status on the appeal; callbacks are idempotent by
id and safe out of order."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from fastapi import FastAPI
from sqlalchemy import func, select

from appeals_api.appeals.models import Assignment
from appeals_api.appeals.reading import service as reading
from appeals_api.auth.roles import Role
from appeals_api.auth.service import hash_key
from tests.helpers import auth
from tests.helpers.directum import (
    INSTRUCTION,
    Directum,
    channels,
    dispatched,
    events_of,
)
from tests.helpers.lifecycle import LEAD, SECOND


async def test_R_4_2_without_directum_dispatch_is_recorded_internal(
    app, client, keys, make_key, clock
):
    walk = await dispatched(client, keys, make_key, clock, LEAD)
    assert walk.appeal["status"] == "dispatched"
    assert walk.appeal["directum"] is None
    assert await channels(app, walk.id) == ["internal"]
    [data] = [d for t, d in await events_of(app, walk.id) if t == "appeal.dispatched"]
    assert (data["units"], data["channel"]) == ([LEAD], "internal")
    # Nothing went through DIRECTUM: read by id answers from its one statement, no session.
    found = await _read_by_id(app, keys[Role.SUPERVISOR], walk.id, clock)
    assert found.via_directum is False
    viewer = reading.Viewer(found.principal, clock(), app.state.settings.tz)
    assert not reading.needs_session(viewer, found)


async def _read_by_id(app: FastAPI, key: str, appeal_id: str, clock) -> reading.ReadById:
    return await reading.read_by_id(
        app.state.pool,
        key_hash=hash_key(key),
        allowed=frozenset(Role),
        appeal_id=uuid.UUID(appeal_id),
        now=clock(),
    )


async def test_R_4_2_dispatch_is_retried_until_directum_acknowledges_it(
    directum: Directum, keys, make_key, clock
):
    directum.receiver.answer = lambda hit, n: 503 if n <= 2 else 200
    walk = await dispatched(directum.client, keys, make_key, clock, LEAD, SECOND)
    assert await channels(directum.app, walk.id) == ["directum", "directum"]
    assert walk.appeal["directum"]["status"] == "pending"
    assert walk.appeal["directum"]["attempts"] == 0
    assert (await _read_by_id(directum.app, keys[Role.SUPERVISOR], walk.id, clock)).via_directum
    t0 = clock()

    await directum.deliver()
    shown = (await walk.read())["directum"]
    assert (shown["status"], shown["attempts"], shown["last_error"]) == ("failed", 1, "HTTP 503")
    assert datetime.fromisoformat(shown["next_attempt_at"]) == t0 + timedelta(seconds=10)
    clock.set(t0 + timedelta(seconds=9))  # backoff: nothing before the next attempt is due
    await directum.deliver()
    assert len(directum.hits_for(walk.id)) == 1
    clock.set(t0 + timedelta(seconds=10))
    await directum.deliver()
    assert (await walk.read())["directum"]["attempts"] == 2
    clock.set(t0 + timedelta(seconds=30))
    await directum.deliver()
    shown = (await walk.read())["directum"]
    assert (shown["status"], shown["attempts"]) == ("delivered", 3)
    assert shown["delivered_at"] is not None and shown["next_attempt_at"] is None
    clock.set(t0 + timedelta(days=1))
    await directum.deliver()

    hits = directum.hits_for(walk.id)
    assert [h.status for h in hits] == [503, 503, 200]  # acknowledged, then never sent again
    assert len({h.header("Idempotency-Key") for h in hits}) == 1  # DIRECTUM can dedupe
    sent = hits[0].json()
    assert sent["number"] == walk.appeal["number"] and sent["appeal_id"] == walk.id
    assert sent["units"] == [LEAD, SECOND] and sent["lead_unit"] == LEAD
    assert sent["resolution"]["instruction"] == INSTRUCTION
    assert sent["summary"] == "Dust from the tailings reaches the street."
    # No more personal data than DIRECTUM needs: no applicants, no text of the appeal.
    assert not {"applicants", "text", "representative", "addressee"} & set(sent)
    assert "Karimov" not in hits[0].body.decode() and "Navoi" not in hits[0].body.decode()
    # The status is on the appeal in lists too.
    r = await directum.client.get(
        "/api/v1/appeals", params={"status": "dispatched"}, headers=auth(keys[Role.SUPERVISOR])
    )
    listed = next(a for a in r.json()["items"] if a["id"] == walk.id)
    assert listed["directum"]["status"] == "delivered"


async def test_R_4_2_callbacks_are_idempotent_by_callback_id(
    directum: Directum, keys, make_key, clock
):
    walk = await dispatched(directum.client, keys, make_key, clock, LEAD)
    key = auth(keys[Role.DIRECTUM])
    callback = {
        "callback_id": f"cb-{uuid.uuid4()}",
        "appeal_id": walk.id,
        "unit": LEAD,
        "kind": "accepted",
    }
    first = await directum.client.post("/api/v1/directum/callbacks", json=callback, headers=key)
    assert first.status_code == 200, first.text
    assert first.json()["outcome"] == "applied"
    appeal = await walk.read()
    assert appeal["status"] == "in_consideration"
    history, events = await walk.history(), await events_of(directum.app, walk.id)
    assert history[-1]["action"] == "accept" and history[-1]["actor_role"] == "executor"
    assert f"for {LEAD}" in history[-1]["actor"]
    assert (
        "appeal.status_changed",
        {"previous": "dispatched", "status": "in_consideration", "action": "accept"},
    ) in events
    etag = await walk.etag()

    again = await directum.client.post("/api/v1/directum/callbacks", json=callback, headers=key)
    assert (again.status_code, again.json()) == (200, first.json())
    assert await walk.history() == history
    assert await events_of(directum.app, walk.id) == events
    assert await walk.etag() == etag

    other_body = {
        **callback,
        "kind": "response_registered",
        "registration_number": "7",
        "registration_date": "2026-03-02",
    }
    r = await directum.client.post("/api/v1/directum/callbacks", json=other_body, headers=key)
    assert r.status_code == 409
    r = await directum.client.post(
        "/api/v1/directum/callbacks", json=callback, headers=auth(keys[Role.REGISTRAR])
    )
    assert r.status_code == 403
    fresh = {**callback, "callback_id": f"cb-{uuid.uuid4()}"}
    r = await directum.client.post(
        "/api/v1/directum/callbacks", json={**fresh, "appeal_id": str(uuid.uuid4())}, headers=key
    )
    assert r.status_code == 404
    r = await directum.client.post(
        "/api/v1/directum/callbacks", json={**fresh, "unit": SECOND}, headers=key
    )
    assert r.status_code == 422  # never routed there
    for bad in (
        {**fresh, "year": 2026, "number": 1},  # two ways of naming the appeal
        {**fresh, "surprise": True},
        {**fresh, "kind": "response_registered"},  # without the registration
        {**fresh, "registration_number": "7"},  # accepted takes none
    ):
        r = await directum.client.post("/api/v1/directum/callbacks", json=bad, headers=key)
        assert r.status_code == 422, bad
    assert await walk.history() == history


async def test_R_4_2_callbacks_out_of_order_are_all_recorded(
    directum: Directum, keys, make_key, clock
):
    walk = await dispatched(directum.client, keys, make_key, clock, LEAD, SECOND)
    key = auth(keys[Role.DIRECTUM])
    by_number = {"year": walk.appeal["year"], "number": walk.appeal["seq"]}
    registered = {
        "callback_id": f"cb-{uuid.uuid4()}",
        **by_number,
        "unit": LEAD,
        "kind": "response_registered",
        "registration_number": "DIR-77/26",
        "registration_date": "2026-03-02",
    }
    r = await directum.client.post("/api/v1/directum/callbacks", json=registered, headers=key)
    assert r.status_code == 200, r.text
    assert r.json()["outcome"] == "recorded"
    appeal = await walk.read()
    assert appeal["status"] == "dispatched"  # recorded although the unit has not accepted yet
    assert appeal["directum"]["responses"] == [
        {"unit": LEAD, "registration_number": "DIR-77/26", "registration_date": "2026-03-02"}
    ]
    assert (await walk.history())[-1]["action"] == "directum_response_registered"

    accepted = {"callback_id": f"cb-{uuid.uuid4()}", **by_number, "unit": LEAD, "kind": "accepted"}
    r = await directum.client.post("/api/v1/directum/callbacks", json=accepted, headers=key)
    assert r.json()["outcome"] == "applied"
    assert (await walk.read())["status"] == "in_consideration"

    # The second unit accepted over the API first: DIRECTUM's report of it changes nothing.
    await walk.act("second", "accept")
    history = await walk.history()
    late = {**accepted, "callback_id": f"cb-{uuid.uuid4()}", "unit": SECOND}
    r = await directum.client.post("/api/v1/directum/callbacks", json=late, headers=key)
    assert r.status_code == 200 and r.json()["outcome"] == "already_recorded"
    assert await walk.history() == history
    async with directum.app.state.sessionmaker() as session:
        accepted_at = await session.scalar(
            select(func.count())
            .select_from(Assignment)
            .where(Assignment.appeal_id == uuid.UUID(walk.id), Assignment.accepted_at.is_not(None))
        )
    assert accepted_at == 2
