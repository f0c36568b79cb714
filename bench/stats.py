"""Benchmark: the statistics endpoints against their aggregate run directly in SQL.

Two databases on the same PostgreSQL, seeded by the `appeals-api seed` generator with the same
years (2022–2026) and the same as-of day: N = 1,000,000 and N = 100,000 appeals by default.
Interleaved A B A B, after warm-up runs:
- on the large database, each endpoint against the very statement it runs, sent straight over
  asyncpg: a quarter's GET /stats grouped by unit and kind, a year's grouped by month and kind,
  the quarter's GET /public/summary;
- the quarter's GET /stats on the small database against the large one, beside the growth of
  the quarter's rows.
An endpoint is timed inside the ASGI app, from the request going in to the last byte of the
response coming out (key check, rate limit, query, JSON), not the HTTP client around it.
Prints min/median/max per side and the ratios of medians.

    python bench/stats.py [--large 1000000] [--small 100000] [--runs 15]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO / "src"), str(REPO)]

from alembic import command  # noqa: E402
from alembic.config import Config  # noqa: E402
from bench.timing import Timed  # noqa: E402

from appeals_api.auth import service as auth_service  # noqa: E402
from appeals_api.auth.roles import Role  # noqa: E402
from appeals_api.clock import FrozenClock  # noqa: E402
from appeals_api.config import Settings  # noqa: E402
from appeals_api.db import make_engine, make_sessionmaker  # noqa: E402
from appeals_api.main import create_app  # noqa: E402
from appeals_api.stats import repository, seed, service  # noqa: E402

AS_OF = date(2026, 11, 20)
NOW = datetime(2026, 11, 20, 6, 0, tzinfo=UTC)  # Friday 11:00 in Tashkent
YEARS = (2022, 2026)
QUARTER = (2025, 2)
YEAR = 2025


def _with_db(url: str, name: str) -> str:
    return url.rsplit("/", 1)[0] + "/" + name


async def _admin(server_url: str, sql: str) -> None:
    admin = await asyncpg.connect(_with_db(server_url, "postgres"))
    try:
        await admin.execute(sql)
    finally:
        await admin.close()


async def _prepare(server_url: str, redis_url: str, name: str, count: int) -> Settings:
    await _admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await _admin(server_url, f'CREATE DATABASE "{name}"')
    url = _with_db(server_url, name)
    config = Config(str(REPO / "alembic.ini"))
    config.attributes["database_url"] = url
    config.attributes["configure_logger"] = False
    await asyncio.to_thread(command.upgrade, config, "head")
    settings = Settings(
        database_url=url, redis_url=redis_url, public_summary_per_address_per_minute=10**9
    )
    engine = make_engine(settings)
    started = time.perf_counter()
    try:
        await seed.seed(engine, settings, count=count, years=YEARS, seed=1, today=AS_OF)
    finally:
        await engine.dispose()
    print(f"seeded {count:,} appeals in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    conn = await asyncpg.connect(url)
    try:
        await conn.execute("VACUUM ANALYZE")
        # Seeding leaves the table's pages dirty: write them out now, not during the runs.
        with contextlib.suppress(asyncpg.InsufficientPrivilegeError):
            await conn.execute("CHECKPOINT")
    finally:
        await conn.close()
    return settings


class Side:
    """One database: the app in process, a key, and a plain asyncpg connection."""

    def __init__(self, settings: Settings, stack: AsyncExitStack) -> None:
        self.settings, self.stack = settings, stack

    async def open(self) -> Side:
        app = create_app(self.settings, FrozenClock(NOW))
        await self.stack.enter_async_context(app.router.lifespan_context(app))
        async with make_sessionmaker(app.state.engine)() as session, session.begin():
            _, token = await auth_service.create_key(
                session, name="bench", role=Role.ANALYST, unit_code=None, expires_at=None
            )
        self.timed = Timed(app)
        self.client = await self.stack.enter_async_context(
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=self.timed),
                base_url="http://bench",
                headers={"Authorization": f"Bearer {token}"},
            )
        )
        self.conn = await asyncpg.connect(self.settings.database_url)
        # As the endpoint does: each run planned for its range, never a generic plan.
        await self.conn.execute("SET plan_cache_mode = force_custom_plan")
        self.stack.push_async_callback(self.conn.close)
        self.dialect = app.state.engine.dialect
        return self

    async def endpoint(self, path: str, params: dict[str, Any]) -> tuple[float, int]:
        r = await self.client.get(path, params=params)
        assert r.status_code == 200, r.text
        body = r.json()
        rows = body["rows"] if "rows" in body else body["breakdowns"]["channel"]
        return self.timed.last, len(rows)

    async def direct(self, stmt: Any) -> tuple[float, int]:
        compiled = stmt.compile(dialect=self.dialect, compile_kwargs={"render_postcompile": True})
        params = [compiled.params[name] for name in compiled.positiontup]
        started = time.perf_counter()
        rows = await self.conn.fetch(str(compiled), *params)
        return time.perf_counter() - started, len(rows)

    async def rows_in(self, first: date, last: date) -> int:
        start, end = service.instants(first, last, self.settings)
        sql = "SELECT count(*) FROM appeals WHERE received_at >= $1 AND received_at < $2"
        return int(await self.conn.fetchval(sql, start, end))


Run = Callable[[], Awaitable[tuple[float, int]]]


async def _compare(pair: dict[str, Run], runs: int) -> dict[str, list[float]]:
    for _ in range(2):  # warm-up: caches, prepared statements, pool
        for run in pair.values():
            await run()
    times: dict[str, list[float]] = {label: [] for label in pair}
    for _ in range(runs):
        for label, run in pair.items():  # interleaved: A B A B
            elapsed, _rows = await run()
            times[label].append(elapsed)
    return times


def _line(name: str, times: list[float]) -> str:
    ms = [t * 1000 for t in times]
    return (
        f"  {name:>22}: min {min(ms):8.1f} ms  median {statistics.median(ms):8.1f} ms  "
        f"max {max(ms):8.1f} ms"
    )


def _ratio(times: dict[str, list[float]], a: str, b: str) -> float:
    return statistics.median(times[a]) / statistics.median(times[b])


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--large", type=int, default=1_000_000)
    parser.add_argument("--small", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=15)
    # `make bench` hands every benchmark the same BENCH_ARGS: others' options are not ours.
    args, _ = parser.parse_known_args()

    server, redis_url = os.environ.get("APPEALS_DATABASE_URL"), os.environ.get("APPEALS_REDIS_URL")
    async with AsyncExitStack() as stack:
        from appeals_api.devstack import EmbeddedPostgres, EmbeddedRedis

        tmp = Path(tempfile.mkdtemp(prefix="bench-stats-"))
        if not server:
            pg = EmbeddedPostgres(tmp / "pg", fast=True)
            pg.start()
            stack.callback(pg.stop)
            server = pg.url
        if not redis_url:
            redis = EmbeddedRedis(tmp / "redis", persistent=False)
            redis.start()
            stack.callback(redis.stop)
            redis_url = redis.url
        tag = uuid.uuid4().hex[:6]
        names = {label: f"bench_stats_{label}_{tag}" for label in ("small", "large")}
        for name in names.values():
            stack.push_async_callback(
                _admin, server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'
            )
        sides = {}
        for label, count in (("small", args.small), ("large", args.large)):
            settings = await _prepare(server, redis_url, names[label], count)
            sides[label] = await Side(settings, stack).open()
        large, small = sides["large"], sides["small"]

        q_first, q_last = service.quarter_dates(*QUARTER)
        y_first, y_last = date(YEAR, 1, 1), date(YEAR, 12, 31)
        tz = large.settings.timezone

        def stats_stmt(first: date, last: date, group_by: list[str]) -> Any:
            start, end = service.instants(first, last, large.settings)
            return repository.stats_statement(
                start=start, end=end, group_by=group_by, today=AS_OF, tz=tz,
                limit=service.MAX_STATS_ROWS + 1,
            )  # fmt: skip

        q_start, q_end = service.instants(q_first, q_last, large.settings)
        summary_stmt = repository.breakdown_statement(
            start=q_start, end=q_end, breakdowns=service.PUBLIC_BREAKDOWNS, today=AS_OF, tz=tz
        )
        quarter = {"from": q_first.isoformat(), "to": q_last.isoformat(), "group_by": "unit,kind"}
        year = {"from": y_first.isoformat(), "to": y_last.isoformat(), "group_by": "month,kind"}
        cases = [
            (
                f"quarter {QUARTER[0]}-Q{QUARTER[1]} by unit,kind",
                lambda s: s.endpoint("/api/v1/stats", quarter),
                stats_stmt(q_first, q_last, ["unit", "kind"]),
                (q_first, q_last),
            ),
            (
                f"year {YEAR} by month,kind",
                lambda s: s.endpoint("/api/v1/stats", year),
                stats_stmt(y_first, y_last, ["month", "kind"]),
                (y_first, y_last),
            ),
            (
                f"public summary {QUARTER[0]}-Q{QUARTER[1]}",
                lambda s: s.endpoint(
                    "/api/v1/public/summary", {"year": QUARTER[0], "quarter": QUARTER[1]}
                ),
                summary_stmt,
                (q_first, q_last),
            ),
        ]
        for title, call, stmt, (first, last) in cases:
            rows = await large.rows_in(first, last)
            times = await _compare(
                {"endpoint": lambda c=call: c(large), "direct SQL": lambda s=stmt: large.direct(s)},
                args.runs,
            )
            print(f"{title}, {args.large:,} appeals ({rows:,} in range):")
            print(_line("endpoint", times["endpoint"]))
            print(_line("direct SQL", times["direct SQL"]))
            print(f"  ratio endpoint/SQL (medians): {_ratio(times, 'endpoint', 'direct SQL'):.2f}")

        counts = {label: await side.rows_in(q_first, q_last) for label, side in sides.items()}
        times = await _compare(
            {
                f"{args.small:,}": lambda: small.endpoint("/api/v1/stats", quarter),
                f"{args.large:,}": lambda: large.endpoint("/api/v1/stats", quarter),
            },
            args.runs,
        )
        print(f"quarter {QUARTER[0]}-Q{QUARTER[1]} by unit,kind, endpoint, small vs large:")
        for label, side in (("small", args.small), ("large", args.large)):
            print(_line(f"{side:,} ({counts[label]:,} rows)", times[f"{side:,}"]))
        ratio = _ratio(times, f"{args.large:,}", f"{args.small:,}")
        growth = counts["large"] / max(counts["small"], 1)
        print(f"  ratio large/small (medians): {ratio:.2f}; row growth: {growth:.2f}")


if __name__ == "__main__":
    asyncio.run(main())
