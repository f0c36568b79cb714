"""Where a violation shows (R-9.4): the appeal, the card, the `overdue` filter, the statistics,
the table itself; and a run of the deadline watch."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from appeals_api.appeals.models import AppealViolation
from appeals_api.auth.roles import Role
from appeals_api.config import Settings
from appeals_api.control import service as control_service
from appeals_api.db import make_engine, make_sessionmaker
from tests.helpers.common import at_tashkent, auth
from tests.helpers.lifecycle import LEAD, Staff, Walk, start


async def run_watch(settings: Settings, when: datetime) -> control_service.WatchResult:
    """One run of the deadline watch at `when`, in its own transaction."""
    engine = make_engine(settings)
    try:
        async with make_sessionmaker(engine)() as session, session.begin():
            return await control_service.watch(session, settings, now=when)
    finally:
        await engine.dispose()


async def stored(settings: Settings, appeal_id: str) -> list[tuple[str, str, str]]:
    """The appeal's rows in `appeal_violations`: rule, due date, who recorded it."""
    engine = make_engine(settings)
    try:
        async with make_sessionmaker(engine)() as session:
            rows = await session.scalars(
                select(AppealViolation)
                .where(AppealViolation.appeal_id == appeal_id)
                .order_by(AppealViolation.id)
            )
            return [(v.rule, v.due_on.isoformat(), v.recorded_by) for v in rows]
    finally:
        await engine.dispose()


def violations(appeal: dict[str, Any]) -> list[tuple[str, str]]:
    return [(v["rule"], v["due_date"]) for v in appeal["violations"]]


async def card_note(w: Walk) -> str | None:
    r = await w.client.get(
        f"/api/v1/appeals/{w.id}/card", headers=auth(w.staff.key(Role.SUPERVISOR))
    )
    assert r.status_code == 200, r.text
    note: str | None = r.json()["reverse"]["violation_note"]
    return note


async def listed_as_overdue(w: Walk, day: str) -> bool:
    """Whether `GET /appeals?overdue=true` lists the appeal (received on `day`)."""
    r = await w.client.get(
        "/api/v1/appeals",
        params={"overdue": "true", "received_from": day, "received_to": day, "limit": 1000},
        headers=auth(w.staff.key(Role.SUPERVISOR)),
    )
    assert r.status_code == 200, r.text
    return w.id in {a["id"] for a in r.json()["items"]}


async def stats_overdue(w: Walk, day: str) -> int:
    """The `overdue` counter of the appeals received on `day`."""
    r = await w.client.get(
        "/api/v1/stats",
        params={"from": day, "to": day},
        headers=auth(w.staff.key(Role.ANALYST)),
    )
    assert r.status_code == 200, r.text
    rows = r.json()["rows"]
    return int(rows[0]["overdue"]) if rows else 0


async def routed(client: Any, staff: Staff, clock: Any, month: int, day: int) -> Walk:
    """An application received on that day of 2026 at 10:00 (a working day), routed to LEAD."""
    clock.set(at_tashkent(2026, month, day))
    w = await start(client, staff, clock)
    await w.route(LEAD)
    return w
