"""Paper cuts of issue 17: one time convention in every answer, the calendar's `from`, webhook
subscriptions that name real event types, one meaning of "authority documents", and an event
feed cursor that never runs past the feed's head."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

import httpx
import pytest_asyncio

from appeals_api import outbound
from appeals_api.auth.roles import Role
from appeals_api.events.kinds import EVENT_TYPES
from appeals_api.events.tasks import deliver_webhooks
from appeals_api.worker_context import WorkerContext
from tests.helpers import REPO, appeal_body, auth
from tests.helpers.webhooks import SECRET, Receiver

TASHKENT = "+05:00"
# An instant in JSON: 2026-03-02T10:00:00(.ffffff)(Z|±hh:mm).
_INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


def instants(value: Any) -> list[str]:
    """Every string in a JSON value that reads as an instant."""
    if isinstance(value, dict):
        return [s for v in value.values() for s in instants(v)]
    if isinstance(value, list):
        return [s for v in value for s in instants(v)]
    return [value] if isinstance(value, str) and _INSTANT.match(value) else []


def all_tashkent(value: Any) -> bool:
    found = instants(value)
    return bool(found) and all(s.endswith(TASHKENT) for s in found)


@pytest_asyncio.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with outbound.make_client() as c:
        yield c


async def test_one_time_convention_appeal_history_events_and_webhook_body_read_plus_0500(
    app, client, keys, settings, clock, http
):
    admin, registrar = auth(keys[Role.ADMIN]), auth(keys[Role.REGISTRAR])
    receiver = Receiver().start()
    try:
        r = await client.post(
            "/api/v1/webhooks", json={"url": receiver.url, "secret": SECRET}, headers=admin
        )
        assert r.status_code == 201, r.text
        sub = r.json()
        assert all_tashkent(sub), sub
        created = await client.post("/api/v1/appeals", json=appeal_body(), headers=registrar)
        assert created.status_code == 201, created.text
        appeal_id = created.json()["id"]
        assert all_tashkent(created.json())
        appeal = await client.get(f"/api/v1/appeals/{appeal_id}", headers=registrar)
        assert all_tashkent(appeal.json()), appeal.json()
        history = await client.get(f"/api/v1/appeals/{appeal_id}/history", headers=registrar)
        assert all_tashkent(history.json()), history.json()
        events = await client.get("/api/v1/events", params={"limit": 1000}, headers=admin)
        mine = [e for e in events.json()["items"] if e["appeal_id"] == appeal_id]
        assert mine and all_tashkent(mine), mine
        ctx = WorkerContext(
            settings=settings, clock=clock, sessionmaker=app.state.sessionmaker, http=http
        ).into({})
        await deliver_webhooks(ctx)
        [hit] = [h for h in receiver.snapshot() if h.json()["appeal_id"] == appeal_id]
        assert all_tashkent(hit.json()), hit.json()
        # The same moment, told alike: the appeal's receipt and its registration event.
        received = datetime.fromisoformat(appeal.json()["received_at"])
        assert datetime.fromisoformat(hit.json()["occurred_at"]) >= received
        d = await client.get(f"/api/v1/webhooks/{sub['id']}/deliveries", headers=admin)
        assert all_tashkent(d.json()["items"]), d.json()
    finally:
        receiver.stop()
        await client.delete(f"/api/v1/webhooks/{sub['id']}", headers=admin)


async def test_calendar_working_days_answers_from_not_from_underscore(client, keys):
    r = await client.get(
        "/api/v1/calendar/working-days",
        params={"from": "2026-03-02", "to": "2026-03-08"},
        headers=auth(keys[Role.REGISTRAR]),
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["from"] == "2026-03-02" and "from_" not in body
    assert body["working_days"] == 5


async def test_webhook_unknown_event_type_is_refused_naming_the_known_types(client, keys):
    body = {"url": "http://127.0.0.1:9/hook", "secret": SECRET, "event_types": ["appeal.nope"]}
    r = await client.post("/api/v1/webhooks", json=body, headers=auth(keys[Role.ADMIN]))
    assert r.status_code == 422, r.text
    [error] = r.json()["errors"]
    assert error["field"] == "event_types.0"
    assert "appeal.nope" in error["message"]
    assert all(t in error["message"] for t in EVENT_TYPES)


async def test_webhook_short_secret_says_characters_not_items(client, keys):
    body = {"url": "http://127.0.0.1:9/hook", "secret": "tiny-secret"}
    r = await client.post("/api/v1/webhooks", json=body, headers=auth(keys[Role.ADMIN]))
    assert r.status_code == 422, r.text
    [error] = r.json()["errors"]
    assert error["field"] == "secret"
    assert error["message"] == "the secret must be at least 16 characters"
    assert "tiny-secret" not in r.text


def test_every_event_type_the_service_emits_is_a_known_type():
    source = "\n".join(p.read_text() for p in (REPO / "src" / "appeals_api").rglob("*.py"))
    emitted = set(re.findall(r"""["'](appeal\.[a-z_]+)["'],? ?(?:\{|\)|,|=)""", source))
    emitted |= set(re.findall(r"""emit\(\s*["']([a-z_.]+)["']""", source))
    emitted |= set(re.findall(r"""type_="'([a-z_.]+)'""", source))
    assert {"appeal.registered", "appeal.overdue", "appeal.applicant_notice"} <= emitted
    assert emitted <= set(EVENT_TYPES), emitted - set(EVENT_TYPES)


async def test_R_1_3_authority_documents_missing_reads_one_way(client, keys):
    registrar = auth(keys[Role.REGISTRAR])
    cases = [
        ({"name": "Karimov A.", "authority_documents": False}, True),
        ({"name": "Karimov A.", "authority_documents": True}, False),
        (None, False),
    ]
    for representative, missing in cases:
        body = appeal_body(**({"representative": representative} if representative else {}))
        r = await client.post("/api/v1/appeals", json=body, headers=registrar)
        assert r.status_code == 201, r.text
        got = (await client.get(f"/api/v1/appeals/{r.json()['id']}", headers=registrar)).json()
        assert got["checks"]["authority_documents_missing"] is missing, got["checks"]
        # The deprecated field keeps its old meaning for the clients written against it.
        assert got["checks"]["authority_documents"] is missing
        if representative:
            assert got["representative"]["authority_documents"] is not missing


async def test_event_feed_after_beyond_the_head_answers_the_head(client, keys):
    h = auth(keys[Role.SUPERVISOR])
    r = await client.post("/api/v1/appeals", json=appeal_body(), headers=auth(keys[Role.REGISTRAR]))
    assert r.status_code == 201, r.text
    head = await _head(client, h)
    assert head > 0
    r = await client.get("/api/v1/events", params={"after": 100000}, headers=h)
    assert r.status_code == 200, r.text
    assert r.json() == {"items": [], "last_id": head}
    # A consumer that stored the answer gets the next event, not nothing.
    r = await client.post("/api/v1/appeals", json=appeal_body(), headers=auth(keys[Role.REGISTRAR]))
    later = await client.get("/api/v1/events", params={"after": head}, headers=h)
    assert r.json()["id"] in [e["appeal_id"] for e in later.json()["items"]]
    # At the head itself the cursor stays where it is.
    now_head = await _head(client, h)
    r = await client.get("/api/v1/events", params={"after": now_head}, headers=h)
    assert r.json() == {"items": [], "last_id": now_head}


async def _head(client: httpx.AsyncClient, headers: dict[str, str]) -> int:
    after = 0
    while True:
        r = await client.get(
            "/api/v1/events", params={"after": after, "limit": 1000}, headers=headers
        )
        page = r.json()
        if not page["items"]:
            return int(after)
        after = page["last_id"]
