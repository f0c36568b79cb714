"""`appeals-api seed`: generated appeals are valid appeals of this system (R-1, R-2.1, R-3)."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import uuid
from datetime import date

import asyncpg
import pytest
from pydantic import TypeAdapter

from appeals_api.appeals.channels import follows_channel
from appeals_api.appeals.enums import Channel, Form, Kind, Outcome, Status
from appeals_api.appeals.schemas import Applicant
from appeals_api.calendar.rules import compute_due, get_rule, start_date
from appeals_api.calendar.workdays import WorkCalendar
from appeals_api.config import Settings
from tests.helpers import REPO
from tests.helpers.db import scratch_database

AS_OF = date(2026, 3, 2)
AS_OF_ARG = ("--as-of", AS_OF.isoformat())
SEED_7 = ("--seed", "7", *AS_OF_ARG)


def _seed_cli(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "appeals_api.cli", "seed", *args],
        cwd=REPO,
        env={**os.environ, "APPEALS_DATABASE_URL": url},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _fetch(url: str, sql: str, *args: object) -> list[asyncpg.Record]:
    async def run() -> list[asyncpg.Record]:
        conn = await asyncpg.connect(url)
        try:
            return await conn.fetch(sql, *args)
        finally:
            await conn.close()

    return asyncio.run(run())


@pytest.fixture(scope="module")
def seeded(settings) -> str:
    url = settings.database_url
    done = _seed_cli(url, "--count", "1500", "--years", "2025-2026", *SEED_7)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("seeded 1,500 appeals (2025: ")
    assert "100% 1,500/1,500 appeals" in done.stderr  # the progress bar
    return url


def test_R_2_1_seeded_numbers_are_gapless_in_order_of_receipt_and_match_the_counters(seeded):
    again = _seed_cli(seeded, "--count", "300", "--years", "2026", "--seed", "8", *AS_OF_ARG)
    assert again.returncode == 0, again.stderr
    rows = _fetch(
        seeded,
        "SELECT year, seq, received_at FROM appeals WHERE year IN (2025, 2026) ORDER BY year, seq",
    )
    counters = dict(
        _fetch(seeded, "SELECT year, last_seq FROM registration_counters WHERE year >= 2025")
    )
    for year in (2025, 2026):
        mine = [r for r in rows if r["year"] == year]
        assert [r["seq"] for r in mine] == list(range(1, len(mine) + 1))
        assert counters[year] == len(mine)
        first_run = mine[: len(mine) - (300 if year == 2026 else 0)]
        assert [r["received_at"] for r in first_run] == sorted(r["received_at"] for r in first_run)
    assert len(rows) == 1800


def test_R_1_seeded_appeals_are_valid_and_varied(seeded):
    rows = _fetch(seeded, "SELECT * FROM appeals WHERE year = 2025")
    assert {r["kind"] for r in rows} == {k.value for k in Kind}
    assert {r["form"] for r in rows} == {f.value for f in Form}
    assert {r["channel"] for r in rows} == {c.value for c in Channel}
    assert {r["language"] for r in rows} == {"uz", "uz-Cyrl", "ru", "en", "kaa"}
    assert {r["outcome"] for r in rows} == {*(o.value for o in Outcome), None}
    statuses = {r["status"] for r in rows}
    assert statuses <= {s.value for s in Status}
    ways = {"answered", "closed", "forwarded", "returned", "left_without_consideration"}
    assert ways | {"terminated", "withdrawn", "joined"} <= statuses
    units = {r["code"] for r in _fetch(seeded, "SELECT code FROM units")}
    assert all(set(r["units"]) <= units for r in rows)
    applicants = TypeAdapter(list[Applicant])
    for r in rows:
        applicants.validate_python(json.loads(r["applicants"]))  # what intake would store
        assert follows_channel(Form(r["form"]), Channel(r["channel"]))  # R-1.1 (§4)
        if r["outcome"] is not None:
            assert r["status"] in ("answered", "closed", "joined")
            assert r["completed_on"] is not None
        if r["status"] == "closed":
            assert r["control_removed_at"] is not None
        if r["status"] == "joined":
            assert r["joined_to"] is not None and json.loads(r["related"])["year"] in (2025, 2026)


def test_R_3_seeded_deadlines_follow_the_calendar(seeded):
    overrides = dict(_fetch(seeded, "SELECT day, working FROM calendar_overrides"))
    calendar = WorkCalendar(overrides=overrides)
    settings = Settings(database_url=seeded)
    rows = _fetch(seeded, "SELECT * FROM appeals WHERE year = 2026")
    stages: dict[uuid.UUID, dict[str, asyncpg.Record]] = {}
    for d in _fetch(
        seeded,
        "SELECT d.* FROM appeal_deadlines d JOIN appeals a ON a.id = d.appeal_id "
        "WHERE a.year = 2026",
    ):
        stages.setdefault(d["appeal_id"], {})[d["rule"]] = d
    late = open_overdue = 0
    for r in rows:
        assert r["received_at"].astimezone(settings.tz).date() <= AS_OF
        registered = start_date(
            r["received_at"],
            electronic=r["form"] == "electronic",
            calendar=calendar,
            tz=settings.tz,
            work_end=settings.work_end,
        )
        assert r["registered_on"] == registered
        mine = stages[r["id"]]
        rule = "proposal_answer" if r["kind"] == "proposal" else "answer"
        assert mine["registration"]["due_on"] == compute_due(
            get_rule("registration"), registered, calendar
        )
        assert mine[rule]["due_on"] == compute_due(get_rule(rule), registered, calendar)
        if r["status"] != "joined":  # a joined duplicate keeps its original's deadline
            assert mine[r["answer_rule"]]["due_on"] == r["due_date"]
        if r["completed_on"] is None:
            open_overdue += r["due_date"] < AS_OF
        else:
            assert all(d["done_on"] is not None for d in mine.values())
            late += r["completed_on"] > r["due_date"]
    assert late > 0 and open_overdue > 0  # some are overdue


@pytest.mark.slow
def test_seed_is_reproducible_with_a_seed_and_a_day(servers):
    """The same --seed and --as-of give the same appeals, in any database."""
    dumps = []
    for _ in range(2):
        with scratch_database(
            servers.postgres_url, "appeals_seed", template=servers.template
        ) as url:
            args = ("--count", "200", "--years", "2025", "--seed", "3", "--as-of", "2025-12-31")
            done = _seed_cli(url, *args)
            assert done.returncode == 0, done.stderr
            assert "created 10 units" in done.stdout  # an empty database gets a few units
            dumps.append(
                _fetch(
                    url,
                    "SELECT id, seq, kind, channel, status, outcome, units, text, applicants, "
                    "received_at, due_date, completed_on FROM appeals ORDER BY seq",
                )
            )
    assert len(dumps[0]) == 200 and dumps[0] == dumps[1]


def test_seed_refuses_years_that_have_not_come(settings):
    args = ("--count", "5", "--years", "2027-2028", *AS_OF_ARG)
    done = _seed_cli(settings.database_url, *args)
    assert done.returncode == 2 and "no day of 2027-2028 has come yet" in done.stderr
    bad = _seed_cli(settings.database_url, "--count", "5", "--years", "20x0")
    assert bad.returncode == 2 and "YYYY" in bad.stderr


def test_R_11_a_seeded_demo_shows_receptions(seeded):
    """The demo has a schedule, personal receptions linked to their appeals, and protocols
    whose matters resolved on the spot have no appeal (R-1.7)."""
    assert _fetch(seeded, "SELECT count(*) FROM reception_schedule")[0][0] >= 3
    linked = _fetch(
        seeded,
        "SELECT a.reception_id = r.id FROM personal_receptions r "
        "JOIN appeals a ON a.id = r.appeal_id",
    )
    assert linked and all(row[0] for row in linked)
    entries = _fetch(
        seeded,
        "SELECT e.resolved_on_the_spot, e.appeal_id IS NULL, a.reception_id = e.protocol_id "
        "FROM reception_protocol_entries e LEFT JOIN appeals a ON a.id = e.appeal_id",
    )
    assert {(spot, no_appeal) for spot, no_appeal, _ in entries} == {(True, True), (False, False)}
    assert all(same for spot, _, same in entries if not spot)
