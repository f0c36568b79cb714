"""Migration 0010 records the violations the record already held (R-9.4): overdue notices of the
watch, stages met late or still open past due, deadlines moved by an action after they passed."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest_asyncio

from tests.helpers import at_tashkent
from tests.helpers.db import migrate
from tests.helpers.lifecycle import LEAD, Staff, make_staff, start
from tests.helpers.violations import run_watch


@pytest_asyncio.fixture
async def staff(client, keys, make_key) -> Staff:
    return await make_staff(client, keys, make_key)


async def _retroactive_extension(url: str, appeal_id: str) -> None:
    """What an extension after the deadline left before 0010: the date moved, a history row
    (written on a database at 0008, before history was chained and violations recorded)."""
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(
            "UPDATE appeal_deadlines SET due_on = '2026-04-16', fixed = true "
            "WHERE appeal_id = $1 AND rule = 'answer'",
            appeal_id,
        )
        await conn.execute(
            "INSERT INTO appeal_history (appeal_id, at, actor_name, actor_role, action, changes) "
            "VALUES ($1, $2, 'manager', 'manager', 'extend', "
            """'{"deadlines.answer": ["2026-03-17", "2026-04-16"]}')""",
            appeal_id,
            at_tashkent(2026, 3, 20),
        )
    finally:
        await conn.close()


async def _violations(url: str) -> set[tuple[str, str, str, str]]:
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch(
            "SELECT appeal_id::text, rule, due_on::text, recorded_by FROM appeal_violations"
        )
    finally:
        await conn.close()
    return {(r[0], r[1], r[2], r[3]) for r in rows}


async def test_R_9_4_migration_backfills_the_violations_the_record_holds(
    client, settings, staff, clock
):
    walks = []
    for _ in range(4):  # received 2026-03-02: the answer is due 2026-03-17
        w = await start(client, staff, clock)
        await w.route(LEAD)
        walks.append(w)
    noticed, answered_late, still_open, extended_late = walks
    await run_watch(settings, at_tashkent(2026, 3, 18, 9))  # notices for all four
    answered_late.at(3, 19)
    await answered_late.answer()
    url = settings.database_url
    await asyncio.to_thread(migrate, url, "0008", down=True)
    await _retroactive_extension(url, extended_late.id)
    await asyncio.to_thread(migrate, url)
    found = await _violations(url)
    assert (noticed.id, "answer", "2026-03-17", "deadline watch") in found
    assert (answered_late.id, "answer", "2026-03-17", "deadline watch") in found
    assert (still_open.id, "answer", "2026-03-17", "deadline watch") in found
    assert (extended_late.id, "answer", "2026-03-17", "deadline watch") in found
    # Without the watch's notices: from the deadlines and the history alone.
    conn = await asyncpg.connect(url)
    try:
        await conn.execute("DELETE FROM deadline_notices")
    finally:
        await conn.close()
    await asyncio.to_thread(migrate, url, "0008", down=True)
    await asyncio.to_thread(migrate, url)
    found = {(a, rule, due) for a, rule, due, _ in await _violations(url)}
    assert {(w.id, "answer", "2026-03-17") for w in walks} <= found
