"""Benchmark: one deadline-watch run over a large database against one over a small one.

Two databases on the same PostgreSQL, the same 1,000 open deadlines due (half overdue, half
within the reminder horizon), surrounded by N closed appeals: N = 1,000,000 and N = 10,000 by
default. Runs alternate A B A B; each run is one transaction that is rolled back, so every
repetition publishes the same notices. Prints min/median/max per side and the ratio of medians:
the watch reads only partial indexes over open deadlines, so the two should be close.

    python bench/deadline_watch.py [--large 1000000] [--small 10000] [--due 1000] [--runs 15]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import asyncpg

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))

from alembic import command  # noqa: E402
from alembic.config import Config  # noqa: E402

from appeals_api.config import Settings  # noqa: E402
from appeals_api.control import service  # noqa: E402
from appeals_api.db import make_engine, make_sessionmaker  # noqa: E402

NOW = datetime(2026, 6, 10, 6, 0, tzinfo=UTC)  # Wednesday 11:00 in Tashkent

# Closed appeals of earlier years: both stages done long ago (what most of the table is).
_SEED_CLOSED = """
INSERT INTO appeals (id, year, seq, kind, form, channel, language, status, received_at,
    registered_on, answer_rule, due_date, completed_on, text, applicants, needs_anonymity_check,
    needs_authority_check, confidential, control, units, outcome, tracking_code_hash,
    created_at, updated_at, version)
SELECT gen_random_uuid(), 2020 + (g % 6), g, 'complaint', 'electronic', 'website', 'uz', 'closed',
    timestamptz '2020-01-10 10:00+05' + (g % 2000) * interval '1 day',
    date '2020-01-10' + (g % 2000), 'answer', date '2020-01-25' + (g % 2000),
    date '2020-01-20' + (g % 2000), 'Closed appeal ' || g, '[]', false, false, false,
    '{"type": "internal"}', '{}', 'satisfied', md5(g::text), now(), now(), 3
FROM generate_series($1::int, $2::int) AS g
"""
_SEED_CLOSED_DEADLINES = """
INSERT INTO appeal_deadlines (appeal_id, rule, start_on, due_on, original_due_on, done_on)
SELECT a.id, r.rule, a.registered_on, a.due_date, a.due_date, a.completed_on
FROM appeals a, (VALUES ('registration'), ('answer')) AS r(rule)
WHERE a.seq BETWEEN $1 AND $2 AND a.year BETWEEN 2020 AND 2025
"""
# The open ones: `due` appeals of 2026, half overdue, half due within the next days.
_SEED_OPEN = """
INSERT INTO appeals (id, year, seq, kind, form, channel, language, status, received_at,
    registered_on, answer_rule, due_date, text, applicants, needs_anonymity_check,
    needs_authority_check, confidential, control, units, tracking_code_hash,
    created_at, updated_at, version)
SELECT gen_random_uuid(), 2026, g, 'complaint', 'electronic', 'website', 'uz', 'in_consideration',
    timestamptz '2026-05-20 10:00+05', date '2026-05-20', 'answer',
    CASE WHEN g % 2 = 0 THEN date '2026-06-04' ELSE date '2026-06-12' END,
    'Open appeal ' || g, '[]', false, false, false, '{"type": "internal"}', '{}',
    md5(g::text), now(), now(), 1
FROM generate_series(1, $1::int) AS g
"""
_SEED_OPEN_DEADLINES = """
INSERT INTO appeal_deadlines (appeal_id, rule, start_on, due_on, original_due_on)
SELECT id, 'answer', registered_on, due_date, due_date FROM appeals WHERE year = 2026
"""


def _with_db(url: str, name: str) -> str:
    return url.rsplit("/", 1)[0] + "/" + name


async def _prepare(server_url: str, name: str, closed: int, due: int) -> str:
    admin = await asyncpg.connect(_with_db(server_url, "postgres"))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    url = _with_db(server_url, name)
    config = Config(str(REPO / "alembic.ini"))
    config.attributes["database_url"] = url
    config.attributes["configure_logger"] = False
    await asyncio.to_thread(command.upgrade, config, "head")
    conn = await asyncpg.connect(url)
    try:
        step = 200_000
        for lo in range(1, closed + 1, step):
            hi = min(closed, lo + step - 1)
            await conn.execute(_SEED_CLOSED, lo, hi)
            await conn.execute(_SEED_CLOSED_DEADLINES, lo, hi)
            print(f"  {name}: {hi:,} closed appeals", file=sys.stderr)
        await conn.execute(_SEED_OPEN, due)
        await conn.execute(_SEED_OPEN_DEADLINES)
        await conn.execute("VACUUM ANALYZE")
    finally:
        await conn.close()
    return url


async def _one_run(maker, settings: Settings) -> tuple[float, service.WatchResult]:
    async with maker() as session:
        transaction = await session.begin()
        started = time.perf_counter()
        result = await service.watch(session, settings, now=NOW)
        elapsed = time.perf_counter() - started
        await transaction.rollback()  # the next run publishes the same notices again
    return elapsed, result


def _summary(name: str, times: list[float]) -> str:
    ms = [t * 1000 for t in times]
    return (
        f"{name:>10}: min {min(ms):8.1f} ms  median {statistics.median(ms):8.1f} ms  "
        f"max {max(ms):8.1f} ms"
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--large", type=int, default=1_000_000)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--due", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=15)
    # `make bench` passes one BENCH_ARGS to every benchmark: each takes the options it knows.
    args, _ = parser.parse_known_args()

    server = os.environ.get("APPEALS_DATABASE_URL")
    embedded = None
    if not server:
        from appeals_api.devstack import EmbeddedPostgres

        embedded = EmbeddedPostgres(Path(tempfile.mkdtemp(prefix="bench-pg-")), fast=True)
        embedded.start()
        server = embedded.url
    try:
        tag = uuid.uuid4().hex[:6]
        sides = {}
        for label, closed in (("small", args.small), ("large", args.large)):
            started = time.perf_counter()
            url = await _prepare(server, f"bench_watch_{label}_{tag}", closed, args.due)
            print(
                f"seeded {label}: {closed:,} + {args.due:,} appeals in "
                f"{time.perf_counter() - started:.0f} s",
                file=sys.stderr,
            )
            settings = Settings(database_url=url)
            engine = make_engine(settings)
            sides[label] = (engine, make_sessionmaker(engine), settings, url)
        times: dict[str, list[float]] = {"small": [], "large": []}
        published: dict[str, service.WatchResult] = {}
        for _warmup in range(2):
            for label in ("small", "large"):
                await _one_run(sides[label][1], sides[label][2])
        for _ in range(args.runs):
            for label in ("small", "large"):  # interleaved: A B A B
                elapsed, result = await _one_run(sides[label][1], sides[label][2])
                times[label].append(elapsed)
                published[label] = result
        assert published["small"] == published["large"], published
        print(
            f"deadline watch, {args.due:,} due; each run published "
            f"{published['large'].overdue} overdue + {published['large'].approaching} reminders"
        )
        print(_summary(f"{args.small:,}", times["small"]))
        print(_summary(f"{args.large:,}", times["large"]))
        ratio = statistics.median(times["large"]) / statistics.median(times["small"])
        print(f"ratio large/small (medians): {ratio:.2f}")
        for engine, _maker, _settings, url in sides.values():
            await engine.dispose()
            admin = await asyncpg.connect(_with_db(server, "postgres"))
            try:
                await admin.execute(
                    f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)'
                )
            finally:
                await admin.close()
    finally:
        if embedded is not None:
            embedded.stop()


if __name__ == "__main__":
    asyncio.run(main())
