"""Benchmark: a decree override over N open deadlines while intake runs (issue 18, R-3.6).

N open appeals, each with an answer deadline due on one day, are written straight into a fresh
database; the API runs in this process (httpx ASGITransport) on PostgreSQL in production's
shape (fsync, synchronous_commit, full_page_writes on). Intake runs at concurrency 32 for a
while alone (the baseline), then again while an admin makes that day a day off
(`PUT /api/v1/calendar/overrides/{day}`) and a separate process — the worker's job, as
`recompute_calendar` runs it — recomputes every touched deadline. Prints the PUT's time, the
recompute's total time and rate, intake's p50/p99/max before and during, and checks that no
open deadline is left on the day.

    python bench/override.py [--count 100000] [--seconds 10] [--concurrency 32]
"""

from __future__ import annotations

import argparse
import asyncio
import math
import subprocess
import sys
import time
from contextlib import AsyncExitStack
from datetime import UTC, date, datetime
from pathlib import Path

import asyncpg
import httpx

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO / "src"), str(REPO)]

from bench.bodies import BODY_BYTES  # noqa: E402

from appeals_api.appeals import deadlines  # noqa: E402
from appeals_api.auth.roles import Role  # noqa: E402
from appeals_api.calendar import recompute  # noqa: E402
from appeals_api.calendar.rules import compute_due, get_rule  # noqa: E402
from appeals_api.calendar.workdays import WorkCalendar  # noqa: E402
from appeals_api.clock import FrozenClock  # noqa: E402
from appeals_api.config import Settings  # noqa: E402
from appeals_api.db import make_engine, make_sessionmaker  # noqa: E402
from appeals_api.devstack.scratch import (  # noqa: E402
    ScratchStack,
    admin_sql,
    issue_keys,
    migrate,
    with_database,
)
from appeals_api.main import create_app  # noqa: E402

NOW = datetime(2026, 11, 18, 6, 0, tzinfo=UTC)  # 11:00 in Tashkent, a Wednesday
START = date(2026, 11, 16)  # the seeded appeals' answer deadlines count from here


def due_day(settings: Settings) -> date:
    """The day every seeded answer deadline falls on (a working day the decree takes off)."""
    calendar = WorkCalendar(weekend=frozenset(settings.weekend))  # a fresh database: no override
    return compute_due(get_rule("answer"), START, calendar)


_SEED = """
WITH a AS (
    INSERT INTO appeals (id, year, seq, kind, form, channel, language, status, received_at,
        registered_on, answer_rule, due_date, text, applicants, needs_anonymity_check,
        needs_authority_check, confidential, control, units, tracking_code_hash, created_at,
        updated_at, version)
    SELECT gen_random_uuid(), 2026, 100000 + g, 'complaint', 'written', 'post', 'uz',
        'in_consideration', timestamptz '2026-11-16 10:00+05', $2, 'answer', $3,
        'Seeded appeal ' || g, '[]', false, false, false, '{"type": "internal"}', '{}',
        md5(g::text), now(), now(), 1
    FROM generate_series(1, $1::int) AS g
    RETURNING id
)
INSERT INTO appeal_deadlines (appeal_id, rule, start_on, due_on, original_due_on)
SELECT id, 'answer', $2, $3, $3 FROM a
"""


async def seed(url: str, count: int, due: date) -> None:
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(_SEED, count, START, due)
        await conn.execute("ANALYZE")
    finally:
        await conn.close()


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(p / 100 * len(ordered)) - 1))]


async def intake(client: httpx.AsyncClient, token: str, stop: asyncio.Event, n: int) -> list[float]:
    """Intake at concurrency `n` until `stop`: the latency of every 201, in ms."""
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    took: list[float] = []
    other: dict[int, int] = {}

    async def one_client() -> None:
        while not stop.is_set():
            started = time.perf_counter()
            r = await client.post("/api/v1/appeals", content=BODY_BYTES, headers=headers)
            if r.status_code == 201:
                took.append((time.perf_counter() - started) * 1000)
            else:
                other[r.status_code] = other.get(r.status_code, 0) + 1
                if len(other) == 1 and sum(other.values()) == 1:
                    print(f"  intake answered {r.status_code}: {r.text[:300]}")

    await asyncio.gather(*(one_client() for _ in range(n)))
    return took


def line(name: str, ms: list[float], seconds: float) -> str:
    return (
        f"  {name:<28} {len(ms) / seconds:7.1f} req/s  p50 {percentile(ms, 50):7.1f}  "
        f"p99 {percentile(ms, 99):7.1f}  max {max(ms):7.1f} ms"
    )


async def run(url: str, redis_url: str, args: argparse.Namespace) -> None:
    # One intake key posts all the load: its per-minute limit is not what is measured.
    settings = Settings(database_url=url, redis_url=redis_url, intake_per_key_per_minute=10**9)
    due = due_day(settings)
    started = time.perf_counter()
    await seed(url, args.count, due)
    print(f"seeded {args.count:,} open appeals due {due.isoformat()} in "
          f"{time.perf_counter() - started:.0f} s")  # fmt: skip
    tokens = await issue_keys(url, {"intake": Role.INTAKE, "admin": Role.ADMIN})
    app = create_app(settings, FrozenClock(NOW))
    async with AsyncExitStack() as stack:
        await stack.enter_async_context(app.router.lifespan_context(app))
        transport = httpx.ASGITransport(app=app)
        client = await stack.enter_async_context(
            httpx.AsyncClient(transport=transport, base_url="http://b", timeout=120)
        )
        stop = asyncio.Event()
        alone = asyncio.ensure_future(intake(client, tokens["intake"], stop, args.concurrency))
        await asyncio.sleep(args.seconds)
        stop.set()
        print(line("intake alone", await alone, args.seconds))

        stop = asyncio.Event()
        during = asyncio.ensure_future(intake(client, tokens["intake"], stop, args.concurrency))
        began = time.perf_counter()
        await asyncio.sleep(1)
        put_started = time.perf_counter()
        r = await client.put(
            f"/api/v1/calendar/overrides/{due.isoformat()}",
            json={"working": False, "reason": "Decree (bench)"},
            headers={"Authorization": f"Bearer {tokens['admin']}"},
        )
        put_took = time.perf_counter() - put_started
        assert r.status_code in (200, 201), r.text
        body = r.json()
        worker_started = time.perf_counter()
        child = await asyncio.to_thread(
            subprocess.run, [sys.executable, __file__, "--child", url, redis_url], check=True,
            capture_output=True, text=True,
        )  # fmt: skip
        worker_took = time.perf_counter() - worker_started
        stop.set()
        ms = await during
        elapsed = time.perf_counter() - began
    print(line("intake during the override", ms, elapsed))
    print(f"  PUT answered in {put_took * 1000:.0f} ms (moved {body['recomputed_deadlines']:,} "
          f"inline, done: {body['recompute_done']})")  # fmt: skip
    moved = int(child.stdout.strip().splitlines()[-1])
    total = put_took + worker_took
    print(f"  the worker's recompute: {worker_took:.1f} s, {moved:,} deadlines moved; "
          f"in all {total:.1f} s, {args.count / total:,.0f} deadlines/s")  # fmt: skip
    conn = await asyncpg.connect(url)
    try:
        left = await conn.fetchval(
            "SELECT count(*) FROM appeal_deadlines WHERE done_on IS NULL AND due_on = $1", due
        )
    finally:
        await conn.close()
    print(f"  open deadlines still due on {due.isoformat()}: {left} (0 expected)")


async def child(url: str, redis_url: str) -> None:
    """The worker's job, in a process of its own: every unfinished recompute, to the end."""
    settings = Settings(database_url=url, redis_url=redis_url)
    engine = make_engine(settings)
    try:
        runner = recompute.Runner(
            make_sessionmaker(engine), settings, FrozenClock(NOW), deadlines.on_calendar_change
        )
        progress = await recompute.run(runner)
        print(progress.moved)
    finally:
        await engine.dispose()


def main() -> int:
    if sys.argv[1:2] == ["--child"]:
        asyncio.run(child(sys.argv[2], sys.argv[3]))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, default=32)
    args, _ = parser.parse_known_args()
    with ScratchStack("appeals-bench-override-", durable=True) as stack:
        name = f"bench_override_{int(time.time())}"
        admin_sql(stack.server_url, f'CREATE DATABASE "{name}"')
        url = with_database(stack.server_url, name)
        try:
            migrate(url)
            asyncio.run(run(url, stack.redis_url, args))
        finally:
            admin_sql(stack.server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return 0


if __name__ == "__main__":
    sys.exit(main())
