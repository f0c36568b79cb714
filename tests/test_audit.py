"""Issue 13, R-9.5: the record is tamper-evident.

Every history entry is chained by hash to the entry before it of the same appeal; the audit
(`appeals-api audit verify`, `GET /api/v1/audit/verify`) recomputes the chains and names the
first entry changed, removed or inserted by hand with plain SQL; exported chain heads also catch
an entry removed from the end of a chain or a chain rewritten consistently. The chains stay
unbroken under concurrent writers, and migration 0009 chains the history written before it.

The tests of this module share one database: the one that tampers with it runs last.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import asyncpg
import pytest_asyncio
from sqlalchemy import text

from appeals_api.appeals import journal
from appeals_api.audit import service as audit_service
from appeals_api.auth import service as auth_service
from appeals_api.auth.roles import Role
from appeals_api.db import make_engine, make_sessionmaker
from tests.helpers import REPO, appeal_body, at_tashkent, auth
from tests.helpers.apps import app_client
from tests.helpers.db import migrate, scratch_database_async
from tests.helpers.lifecycle import LEAD, Staff, Walk, make_staff, start

VERIFY = "/api/v1/audit/verify"
HEADS = "/api/v1/audit/heads"


@pytest_asyncio.fixture
async def staff(client, keys, make_key) -> Staff:
    return await make_staff(client, keys, make_key)


async def _verify(client, keys, **params: Any) -> dict[str, Any]:
    r = await client.get(VERIFY, params=params, headers=auth(keys[Role.SUPERVISOR]))
    assert r.status_code == 200, r.text
    return dict(r.json())


def _cli(database: str, *args: str) -> subprocess.CompletedProcess[str]:
    """`appeals-api audit …` in a process of its own, on this module's database."""
    env = {**os.environ, "APPEALS_DATABASE_URL": database, "PYTHONPATH": str(REPO / "src")}
    return subprocess.run(
        [sys.executable, "-m", "appeals_api.cli", "audit", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


async def _chain(database: str, appeal_id: str) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(database)
    try:
        return await conn.fetch(
            "SELECT id, position, prev_hash, hash FROM appeal_history WHERE appeal_id = $1 "
            "ORDER BY position",
            appeal_id,
        )
    finally:
        await conn.close()


async def test_R_9_5_a_clean_database_verifies_clean(client, keys, staff, clock, database):
    walk = await start(client, staff, clock)
    await walk.route(LEAD)
    chain = await _chain(database, walk.id)
    assert [r["position"] for r in chain] == [1, 2, 3, 4]  # registered, resolve, dispatch, accept
    assert chain[0]["prev_hash"] == "0" * 64
    assert all(b["prev_hash"] == a["hash"] for a, b in itertools.pairwise(chain))
    shown = [(h["position"], h["hash"]) for h in await walk.history()]
    assert shown == [(r["position"], r["hash"]) for r in chain]  # integrators may keep them

    report = await _verify(client, keys)
    assert report["ok"] is True and report["findings"] == [] and report["broken_appeals"] == 0
    assert report["entries_checked"] >= 4 and report["appeals_checked"] >= 1
    done = await asyncio.to_thread(_cli, database, "verify")
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip().splitlines()[-1].endswith("all chains hold")


async def test_R_9_5_only_admin_and_supervisor_audit(client, keys):
    for role in Role:
        for path in (VERIFY, HEADS):
            r = await client.get(path, headers=auth(keys[role]))
            allowed = role in (Role.ADMIN, Role.SUPERVISOR)
            assert r.status_code == (200 if allowed else 403), (role, path, r.text)
    assert (await client.get(VERIFY)).status_code == 401


async def test_R_9_5_concurrent_writers_keep_one_unbroken_chain(
    client, keys, staff, clock, database
):
    """Actions on an appeal (its row lock) and duplicates joined to it (a note on it without its
    row lock) at once: every request succeeds and the appeal's chain has no fork and no gap."""
    original = await start(client, staff, clock)
    await original.route(LEAD)
    related = {"relation": "duplicate", "year": original.appeal["year"]}
    duplicates = [
        await start(client, staff, clock, related={**related, "number": original.appeal["seq"]})
        for _ in range(8)
    ]
    measure = {"type": "hearing", "held_on": "2026-03-02", "description": "Heard the applicant."}
    outcomes = await asyncio.gather(
        *(d.act(Role.REGISTRAR, "join") for d in duplicates),
        *(original.act("lead", "record_measure", measure) for _ in range(8)),
        return_exceptions=True,
    )
    assert [o for o in outcomes if isinstance(o, BaseException)] == []

    chain = await _chain(database, original.id)
    assert [r["position"] for r in chain] == list(range(1, 4 + 16 + 1))
    assert all(b["prev_hash"] == a["hash"] for a, b in itertools.pairwise(chain))
    report = await _verify(client, keys)
    assert report["ok"] is True, report["findings"]


async def test_R_9_5_one_statement_chains_several_entries_of_one_appeal(
    client, keys, staff, clock, settings
):
    """The journal's fragment as the watch embeds it: three entries for each of two appeals in
    one statement chain one after the other, after each appeal's own head."""
    walks = [await start(client, staff, clock) for _ in range(2)]
    statement = text(
        journal.history_sql(
            source="(SELECT id, n FROM appeals, generate_series(1, 3) AS n "
            "WHERE id = ANY(CAST(:ids AS uuid[]))) AS s",
            appeal_id="s.id",
            at=":now",
            actor_id="NULL",
            actor_name="'deadline watch'",
            actor_role=f"'{journal.SYSTEM_ROLE}'",
            action="'deadline_violated'",
            changes="jsonb_build_object('n', s.n)",
        )
    )
    engine = make_engine(settings)
    try:
        async with make_sessionmaker(engine)() as session, session.begin():
            ids = [uuid.UUID(w.id) for w in walks]
            await session.execute(statement, {"ids": ids, "now": clock()})
    finally:
        await engine.dispose()
    for walk in walks:
        history = await walk.history()
        assert [h["position"] for h in history] == [1, 2, 3, 4]
    assert (await _verify(client, keys))["ok"] is True


async def _appeal_with_history(client, staff, clock) -> Walk:
    walk = await start(client, staff, clock)
    await walk.route(LEAD)  # four entries
    return walk


async def test_R_9_5_verify_names_each_entry_changed_removed_or_inserted_by_hand(
    client, keys, staff, clock, database, tmp_path: Path
):
    changed, middle, last, inserted, rewritten = [
        await _appeal_with_history(client, staff, clock) for _ in range(5)
    ]
    exported = await asyncio.to_thread(_cli, database, "heads")
    assert exported.returncode == 0, exported.stderr
    heads_file = tmp_path / "heads.jsonl"
    heads_file.write_text(exported.stdout)
    heads = {h["appeal_id"]: h for h in map(json.loads, exported.stdout.splitlines())}
    assert heads[last.id]["entries"] == 4 and heads[last.id]["number"] == last.appeal["number"]

    ids = {w.id: [r["id"] for r in await _chain(database, w.id)] for w in (changed, middle, last)}
    conn = await asyncpg.connect(database)
    try:
        await conn.execute(
            "UPDATE appeal_history SET note = 'nothing happened' WHERE id = $1", ids[changed.id][1]
        )
        await conn.execute("DELETE FROM appeal_history WHERE id = $1", ids[middle.id][1])
        await conn.execute("DELETE FROM appeal_history WHERE id = $1", ids[last.id][3])
        hand = await conn.fetchval(
            "INSERT INTO appeal_history (appeal_id, at, actor_id, actor_name, actor_role, action, "
            "changes, note, position, prev_hash, hash) "
            "SELECT appeal_id, now(), NULL, 'Chairman', 'manager', 'extend', "
            """'{"due_date": [null, "2027-01-01"]}', NULL, position + 1, hash, """
            "encode(sha256('looks like a hash'), 'hex') "
            "FROM appeal_history WHERE appeal_id = $1 ORDER BY position DESC LIMIT 1 "
            "RETURNING id",
            inserted.id,
        )
        # The last entry rewritten with a hash made the journal's way: only the heads show it.
        await conn.execute(
            "UPDATE appeal_history SET note = 'accepted late', hash = appeal_history_hash("
            "prev_hash, position, appeal_id, at, actor_id, actor_name, actor_role, action, "
            "changes, 'accepted late') WHERE appeal_id = $1 AND position = 4",
            rewritten.id,
        )
    finally:
        await conn.close()

    def named(findings: list[dict[str, Any]]) -> dict[str, tuple[str, int, int | None]]:
        return {f["appeal_id"]: (f["kind"], f["position"], f["entry_id"]) for f in findings}

    expected = {
        changed.id: ("changed", 2, ids[changed.id][1]),
        middle.id: ("removed", 2, ids[middle.id][2]),
        inserted.id: ("changed", 5, hand),
    }
    report = await _verify(client, keys)
    assert report["ok"] is False and report["broken_appeals"] == 3
    assert named(report["findings"]) == expected
    assert "inserted outside the service" in next(
        f["detail"] for f in report["findings"] if f["appeal_id"] == inserted.id
    )

    done = await asyncio.to_thread(_cli, database, "verify")
    assert done.returncode == 1
    *lines, summary = done.stdout.strip().splitlines()
    assert "3 chains broken" in summary
    for walk_id, (kind, position, entry) in expected.items():
        assert any(
            line.startswith(f"{kind}: ")
            and walk_id in line
            and f"position {position} " in line
            and f"entry {entry}:" in line
            for line in lines
        ), (walk_id, lines)

    against = await asyncio.to_thread(_cli, database, "verify", "--heads", str(heads_file))
    assert against.returncode == 1
    *lines, summary = against.stdout.strip().splitlines()
    assert "5 chains broken" in summary and "exported heads" in summary
    assert any(
        line.startswith("removed: ") and last.id in line and "position 4 entry -:" in line
        for line in lines
    ), lines
    assert any(line.startswith("rewritten: ") and rewritten.id in line for line in lines), lines


async def test_R_9_5_the_migration_chains_the_history_written_before_it(servers, settings, clock):
    """Downgraded to 0008, history written the old way; upgraded again: every chain holds, in
    the order of the entries' ids."""
    clock.set(at_tashkent(2026, 4, 1))
    async with scratch_database_async(servers.postgres_url, "appeals_chain") as url:
        await asyncio.to_thread(migrate, url)
        engine = make_engine(settings.model_copy(update={"database_url": url}))
        try:
            async with make_sessionmaker(engine)() as session, session.begin():
                _, key = await auth_service.create_key(
                    session, name="registry", role=Role.REGISTRAR, unit_code=None, expires_at=None
                )
            async with app_client(settings, clock, database_url=url) as c:
                for _ in range(3):
                    r = await c.post("/api/v1/appeals", json=appeal_body(), headers=auth(key))
                    assert r.status_code == 201, r.text
            await asyncio.to_thread(migrate, url, "0008", down=True)
            conn = await asyncpg.connect(url)
            try:
                assert (
                    await conn.fetchval(
                        "SELECT count(*) FROM information_schema.columns "
                        "WHERE table_name = 'appeal_history' AND column_name = 'hash'"
                    )
                    == 0
                )
                await conn.execute(
                    "INSERT INTO appeal_history (appeal_id, at, actor_id, actor_name, "
                    "actor_role, action, changes, note) "
                    "SELECT id, now(), NULL, 'registry', 'registrar', 'corrected', "
                    """'{"summary": [null, "dust"]}', n FROM appeals, """
                    "(VALUES ('first'), ('second'), (NULL)) AS x(n)"
                )
            finally:
                await conn.close()
            await asyncio.to_thread(migrate, url)
            async with make_sessionmaker(engine)() as session, session.begin():
                report = await audit_service.verify(session)
            conn = await asyncpg.connect(url)
            try:
                rows = await conn.fetch(
                    "SELECT appeal_id, id, position FROM appeal_history ORDER BY appeal_id, id"
                )
            finally:
                await conn.close()
        finally:
            await engine.dispose()
    assert report.ok and report.appeals_checked == 3 and report.entries_checked == 12
    by_appeal: dict[Any, list[int]] = {}
    for r in rows:
        by_appeal.setdefault(r["appeal_id"], []).append(r["position"])
    assert list(by_appeal.values()) == [[1, 2, 3, 4]] * 3
