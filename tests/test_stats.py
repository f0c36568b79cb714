"""Statistics (R-10.1): the counters of GET /stats equal plain counts over the appeals.

Appeals generated for 2024–2025, and appeals walked through each way out of the lifecycle over
HTTP in February 2026.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date
from types import SimpleNamespace
from typing import Any

import asyncpg
import pytest
import pytest_asyncio
from sqlalchemy import event

from appeals_api.appeals.reading import fields as appeals_service
from appeals_api.auth.roles import Role
from appeals_api.db import make_engine
from appeals_api.stats import seed
from appeals_api.stats.schemas import COUNTERS
from tests.helpers import at_tashkent, auth
from tests.helpers.lifecycle import LEAD, make_staff, start

GENERATED_YEARS = (2024, 2025)
GENERATED_AS_OF = date(2025, 7, 15)


@pytest_asyncio.fixture(scope="module")
async def generated(settings) -> int:
    engine = make_engine(settings)
    try:
        result = await seed.seed(
            engine,
            settings,
            count=4000,
            years=GENERATED_YEARS,
            seed=2053,
            today=GENERATED_AS_OF,
        )
    finally:
        await engine.dispose()
    return result.count


def _expected_counters(a: Any, today: date) -> dict[str, bool]:
    """R-10.1 written out again, row by row, apart from the SQL."""
    reviewed = a["status"] in ("answered", "closed", "joined") and a["outcome"] is not None
    open_statuses = {"registered", "resolved", "dispatched", "in_consideration"}
    open_statuses |= {"response_drafted", "response_signed"}
    is_open = a["status"] in open_statuses or (
        a["status"] == "joined" and a["completed_on"] is None
    )
    overdue = appeals_service.is_overdue(
        SimpleNamespace(completed_on=a["completed_on"], due_date=a["due_date"]),
        today,
    )
    return {
        "received": True,
        "reviewed": reviewed,
        "satisfied": reviewed and a["outcome"] in ("satisfied", "partially_satisfied"),
        "explained": reviewed and a["outcome"] == "explained",
        "not_satisfied": reviewed and a["outcome"] == "rejected",
        "left_without_consideration": a["status"] == "left_without_consideration",
        "terminated": a["status"] == "terminated",
        "withdrawn": a["status"] == "withdrawn",
        "forwarded": a["status"] == "forwarded",
        "returned": a["status"] == "returned",
        "answered_as_duplicate": a["status"] == "joined"
        and a["outcome"] is None
        and a["completed_on"] is not None,
        "open": is_open,
        "overdue": overdue,
    }


def _keys(a: Any, tz: Any) -> dict[str, Any]:
    local = a["received_at"].astimezone(tz)
    if a["completed_on"] is None:
        on_time = "open"
    else:
        on_time = "on_time" if a["completed_on"] <= a["due_date"] else "late"
    return {
        "year": local.year,
        "quarter": f"{local.year}-Q{(local.month - 1) // 3 + 1}",
        "month": f"{local.year}-{local.month:02d}",
        "kind": a["kind"],
        "channel": a["channel"],
        "form": a["form"],
        "unit": a["units"][0] if a["units"] else None,
        "language": a["language"],
        "outcome": a["outcome"],
        "on_time": on_time,
    }


async def _rows(settings, first: date, last: date) -> list[Any]:
    start, end = (
        at_tashkent(first.year, first.month, first.day, 0),
        at_tashkent(last.year, last.month, last.day, 0),
    )
    conn = await asyncpg.connect(settings.database_url)
    try:
        return await conn.fetch(
            "SELECT received_at, kind, channel, form, units, language, outcome, status, "
            "completed_on, due_date FROM appeals WHERE received_at >= $1 AND received_at < $2",
            start,
            end,
        )
    finally:
        await conn.close()


GROUPINGS = [
    [],
    ["quarter", "kind"],
    ["unit", "on_time"],
    ["month", "channel", "form"],
    ["language", "outcome"],
    ["year", "unit", "kind", "on_time"],
]


@pytest.mark.parametrize("group_by", GROUPINGS, ids=lambda g: ",".join(g) or "totals")
async def test_R_10_1_counters_equal_plain_counts_of_generated_appeals(
    client, keys, clock, settings, generated, group_by
):
    clock.set(at_tashkent(2025, 7, 15, 12))
    r = await client.get(
        "/api/v1/stats",
        params={"from": "2024-01-01", "to": "2025-12-31", "group_by": ",".join(group_by)},
        headers=auth(keys[Role.ANALYST]),
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["as_of"] == "2025-07-15" and body["group_by"] == group_by
    got = {tuple(row[k] for k in group_by): {c: row[c] for c in COUNTERS} for row in body["rows"]}
    assert all(set(row) == {*group_by, *COUNTERS} for row in body["rows"])

    expected: dict[tuple[Any, ...], Counter[str]] = defaultdict(Counter)
    for a in await _rows(settings, date(2024, 1, 1), date(2026, 1, 1)):
        key = tuple(_keys(a, settings.tz)[k] for k in group_by)
        expected[key].update(c for c, hit in _expected_counters(a, GENERATED_AS_OF).items() if hit)
    assert got == {k: {c: v[c] for c in COUNTERS} for k, v in expected.items()}
    if not group_by:
        (totals,) = got.values()
        assert totals["received"] >= generated  # and any other test's appeals of those years
        # Every appeal ended one way or is still open; overdue overlaps them all.
        ways = [c for c in COUNTERS if c not in ("received", "overdue")]
        ways = [c for c in ways if c not in ("satisfied", "explained", "not_satisfied")]
        assert totals["received"] == sum(totals[c] for c in ways)
        assert totals["reviewed"] == sum(
            totals[c] for c in ("satisfied", "explained", "not_satisfied")
        )
        # The generated data is varied: every counter has appeals.
        assert all(totals[c] > 0 for c in COUNTERS), totals


async def test_R_10_1_rows_are_ordered_by_keys_nulls_last(client, keys, clock, generated):
    clock.set(at_tashkent(2025, 7, 15, 12))
    r = await client.get(
        "/api/v1/stats?from=2025-01-01&to=2025-12-31&group_by=unit&group_by=month",
        headers=auth(keys[Role.SUPERVISOR]),
    )
    rows = r.json()["rows"]
    keys_seen = [(row["unit"] is None, row["unit"] or "", row["month"]) for row in rows]
    assert keys_seen == sorted(keys_seen)
    assert rows[-1]["unit"] is None  # unrouted appeals come last
    assert {row["month"] for row in rows} == {f"2025-{m:02d}" for m in range(1, 8)}


async def test_R_10_1_one_aggregate_statement_per_request(app, client, keys, clock, generated):
    statements: list[str] = []

    def seen(conn, cursor, statement, *args):
        statements.append(statement)

    engine = app.state.engine.sync_engine
    event.listen(engine, "before_cursor_execute", seen)
    try:
        r = await client.get(
            "/api/v1/stats?from=2024-01-01&to=2025-12-31&group_by=quarter,unit,on_time",
            headers=auth(keys[Role.MANAGER]),
        )
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert r.status_code == 200
    on_appeals = [s for s in statements if "FROM appeals" in s]
    assert len(on_appeals) == 1 and "GROUP BY" in on_appeals[0]


async def test_R_10_1_each_way_out_of_the_lifecycle_is_counted_by_policy(
    client, keys, make_key, clock
):
    staff = await make_staff(client, keys, make_key)
    clock.set(at_tashkent(2026, 2, 2))  # a Monday; the answer is due 2026-02-17

    async def new(**overrides: Any):
        clock.set(at_tashkent(2026, 2, 2))
        return await start(client, staff, clock, **overrides)

    answered = []
    days = {"satisfied": 5, "rejected": 5, "explained": 7, "partially_satisfied": 25}
    for outcome, day in days.items():
        w = await new()
        await w.route(LEAD)
        w.at(2, day)
        grounds = {"grounds": "No grounds in law."} if outcome == "rejected" else {}
        await w.answer(outcome, **grounds)
        answered.append(w)
    await answered[0].act(Role.REGISTRAR, "remove_from_control")  # closed: still reviewed
    w = await new()
    await w.out_by_letter("forward", {"body": "Almalyk khokimiyat"}, letter_number="1")
    w = await new()
    await w.out_by_letter("return", {"explanation": "The competent body is unknown."})
    w = await new()
    w.at(2, 3)
    await w.out_by_letter("withdraw", {"received_on": "2026-02-03"}, letter_number="2")
    w = await new()
    await w.route(LEAD)
    await w.act(Role.MANAGER, "terminate", {"ground": "failed_to_appear", "conclusion": "x"})
    w = await new()
    await w.act(Role.MANAGER, "leave_without_consideration", {"ground": "other", "conclusion": "y"})
    original = await new()
    await original.route(LEAD)
    ref = {"relation": "duplicate", "year": 2026, "number": original.appeal["seq"]}
    joined = await new(related=ref)
    await joined.act(Role.REGISTRAR, "join")
    original.at(2, 10)
    await original.answer("satisfied")  # the joined duplicate is answered with it
    late_copy = await new()
    late_copy.at(2, 11)
    first = {"year": 2026, "number": answered[0].appeal["seq"]}
    await late_copy.act(Role.REGISTRAR, "answer_duplicate", {**first, "letter_number": "3"})
    await new()  # still registered on 2026-03-02: open and overdue

    clock.set(at_tashkent(2026, 3, 2))
    r = await client.get(
        "/api/v1/stats?from=2026-02-01&to=2026-02-28", headers=auth(keys[Role.REGISTRAR])
    )
    assert r.status_code == 200, r.text
    (totals,) = r.json()["rows"]
    assert totals == {
        "received": 13,
        "reviewed": 6,  # four answered, the original and its joined duplicate
        "satisfied": 4,  # satisfied, partially satisfied, the original and its duplicate
        "explained": 1,
        "not_satisfied": 1,
        "left_without_consideration": 1,
        "terminated": 1,
        "withdrawn": 1,
        "forwarded": 1,
        "returned": 1,
        "answered_as_duplicate": 1,
        "open": 1,
        "overdue": 2,  # answered after its deadline; still open past it
    }
    r = await client.get(
        "/api/v1/stats?from=2026-02-01&to=2026-02-28&group_by=on_time,unit",
        headers=auth(keys[Role.ANALYST]),
    )
    by = {(row["on_time"], row["unit"]): row for row in r.json()["rows"]}
    assert by[("late", LEAD)]["received"] == 1 and by[("late", LEAD)]["satisfied"] == 1
    assert by[("open", None)]["received"] == 1 and by[("open", None)]["overdue"] == 1
    assert by[("on_time", LEAD)]["reviewed"] == 5  # the joined duplicate has the lead unit
    assert sum(row["received"] for row in by.values()) == 13


@pytest.mark.parametrize("role", [Role.EXECUTOR, Role.INTAKE, Role.DIRECTUM, Role.ADMIN])
async def test_R_10_stats_are_not_for_units_intake_or_systems(client, keys, role):
    r = await client.get("/api/v1/stats?from=2026-01-01&to=2026-12-31", headers=auth(keys[role]))
    assert r.status_code == 403
    assert r.headers["content-type"].startswith("application/problem+json")


async def test_R_10_stats_need_a_key(client):
    assert (await client.get("/api/v1/stats?from=2026-01-01&to=2026-12-31")).status_code == 401


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("from=2026-02-01&to=2026-01-31", "to"),  # to before from
        ("from=2016-01-01&to=2026-01-01", "to"),  # more than ten years
        ("from=1900-01-01&to=1900-12-31", "from"),  # outside the calendar
        ("from=2026-01-01&to=9999-12-31", "to"),
        ("from=2026-01-01&to=2026-12-31&group_by=kind,street", "group_by"),
        ("from=2026-01-01&to=2026-12-31&group_by=kind,kind", "group_by"),
        ("from=2026-01-01", "to"),  # missing
        ("from=2026-13-01&to=2026-12-31", "from"),  # not a date
    ],
)
async def test_R_10_bad_ranges_and_keys_are_422(client, keys, query, field):
    r = await client.get(f"/api/v1/stats?{query}", headers=auth(keys[Role.ANALYST]))
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert field in {e["field"] for e in r.json()["errors"]}


async def test_R_10_ten_years_is_the_longest_range(client, keys):
    ok = await client.get(
        "/api/v1/stats?from=2017-01-01&to=2026-12-31", headers=auth(keys[Role.ANALYST])
    )
    assert ok.status_code == 200
    empty = await client.get(
        "/api/v1/stats?from=2150-01-01&to=2150-12-31&group_by=kind",
        headers=auth(keys[Role.ANALYST]),
    )
    assert empty.json()["rows"] == []
