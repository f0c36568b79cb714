"""The outbox feed: in order, resumable, never skipping an event that commits late."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

from appeals_api.auth.roles import Role
from appeals_api.events import service as events_service
from tests.helpers import auth


async def test_feed_does_not_skip_an_event_committed_after_a_later_one(app, client, keys):
    maker = app.state.sessionmaker
    slow_id, fast_id = uuid.uuid4(), uuid.uuid4()
    now = datetime.now(UTC)
    async with maker() as slow:
        # The slow transaction takes the lower id first and commits last.
        await events_service.emit(slow, type="test.slow", appeal_id=slow_id, at=now, data={})
        async with maker() as fast, fast.begin():
            await events_service.emit(fast, type="test.fast", appeal_id=fast_id, at=now, data={})
        h = auth(keys[Role.SUPERVISOR])
        first = await _drain(client, h, 0)
        assert fast_id in {e["appeal_id"] for e in first["items"]}
        assert slow_id not in {e["appeal_id"] for e in first["items"]}
        await slow.commit()
    later = await _drain(client, h, first["last"])
    assert [e["appeal_id"] for e in later["items"] if e["appeal_id"] in {slow_id, fast_id}] == [
        slow_id
    ]


async def _drain(client, headers, after):
    items = []
    while True:
        r = await client.get(
            "/api/v1/events", params={"after": after, "limit": 500}, headers=headers
        )
        assert r.status_code == 200, r.text
        page = r.json()
        ids = [e["id"] for e in page["items"]]
        assert ids == sorted(ids) and all(i > after for i in ids)
        items += [
            {**e, "appeal_id": uuid.UUID(e["appeal_id"])} for e in page["items"] if e["appeal_id"]
        ]
        if not page["items"]:
            return {"items": items, "last": after}
        after = page["last_id"]


async def test_concurrent_feed_readers_agree_on_positions(app, client, keys):
    maker = app.state.sessionmaker
    now = datetime.now(UTC)
    for _ in range(30):
        async with maker() as s, s.begin():
            await events_service.emit(s, type="test.burst", appeal_id=uuid.uuid4(), at=now, data={})
    h = auth(keys[Role.ADMIN])
    pages = await asyncio.gather(*(_drain(client, h, 0) for _ in range(4)))
    positions = [{(e["id"], e["appeal_id"]) for e in p["items"]} for p in pages]
    assert all(p == positions[0] for p in positions)
