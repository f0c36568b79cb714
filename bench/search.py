"""Benchmark: search (`GET /api/v1/appeals?q=`, issue 15) on N seeded appeals, by query kind.

The database is seeded by the `appeals-api seed` generator (years 2019–2026, fixed seed and
as-of day), then every appeal's search documents are built set-based at once (what the worker
does a row at a time), then VACUUM ANALYZE and CHECKPOINT. PostgreSQL runs in production's
shape: fsync, synchronous_commit and full_page_writes on (an embedded server unless
APPEALS_DATABASE_URL names one; its settings are printed as the server reports them).

Each kind is a real request through the app in process (httpx ASGITransport), timed inside
the ASGI app from the request going in to the response's last byte coming out, with the
default page size; after warm-ups the kinds run interleaved round-robin. Prints per kind the
matched rows (count=true, once: a search counts up to 10,000) and p50/p95/p99, then the sizes
of `appeal_search` and its indexes. Target: p95 <= 50 ms for every kind.

    python bench/search.py [--count 1000000] [--runs 40] [--warmups 3] [--keep NAME]

`--keep NAME` keeps the database NAME (on APPEALS_DATABASE_URL's server) and reuses it when it
is already seeded with --count appeals: later runs skip the seeding.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import math
import os
import sys
import time
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO / "src"), str(REPO)]

from bench.timing import Timed  # noqa: E402

from appeals_api.auth.roles import Role  # noqa: E402
from appeals_api.clock import FrozenClock  # noqa: E402
from appeals_api.config import Settings  # noqa: E402
from appeals_api.db import make_engine  # noqa: E402
from appeals_api.devstack.scratch import (  # noqa: E402
    ScratchStack,
    admin_sql,
    issue_keys,
    migrate,
    with_database,
)
from appeals_api.main import create_app  # noqa: E402
from appeals_api.stats import seed  # noqa: E402

AS_OF = date(2026, 11, 20)
NOW = datetime(2026, 11, 20, 6, 0, tzinfo=UTC)
YEARS = (2019, 2026)
SEED = 20261130
TARGET_MS = 50.0
DURABILITY = ("fsync", "synchronous_commit", "full_page_writes")
BUILD_BATCH = 50_000
EXECUTOR_UNIT = "ECO"


@dataclass(frozen=True)
class Kind:
    title: str
    q: str
    params: dict[str, str] = field(default_factory=dict)
    key: str = "registrar"


def kinds(phone: str, status: str) -> list[Kind]:
    """The query kinds; `phone` is a seeded applicant's phone (its digits), `status` a
    common status."""
    local = phone[-9:]
    typed = f"+998 ({local[:2]}) {local[2:5]}-{local[5:7]}-{local[7:]}"
    return [
        Kind("surname, Latin seed in Cyrillic", "Каримов"),
        Kind("surname, Cyrillic seed in Latin", "Ergashev"),
        Kind("first and last name", "Aziz Karimov"),
        Kind("surname with a typo", "Karimow"),
        Kind("surname with a typo (2)", "Tursunof"),
        Kind("Russian phrase, other form", "горячая вода"),
        Kind("Uzbek word, other script", "чанг"),
        Kind("full phone as typed", typed),
        Kind("phone, last 9 digits", f"{local[:2]} {local[2:5]} {local[5:7]} {local[7:]}"),
        Kind("surname + status", "Karimov", {"status": status}),
        Kind("surname + received_from", "Karimov", {"received_from": "2026-01-01"}),
        Kind("surname, executor (restricted)", "Karimov", key="executor"),
        Kind("surname, count=true", "Karimov", {"count": "true"}),
    ]


async def _seeded(url: str, count: int) -> bool:
    conn = await asyncpg.connect(url)
    try:
        n = await conn.fetchval("SELECT count(*) FROM appeals")
        # Every seeded appeal has a text: its public document is empty until built.
        built = await conn.fetchval(
            "SELECT count(*) FROM appeal_search WHERE public_doc <> ''::tsvector"
        )
        return bool(n == count and built == count)
    finally:
        await conn.close()


async def seed_appeals(url: str, count: int) -> None:
    settings = Settings(database_url=url)
    engine = make_engine(settings)
    started = time.perf_counter()
    try:
        await seed.seed(
            engine, settings, count=count, years=YEARS, seed=SEED, today=AS_OF,
            search_rows=False,  # built below at once, the indexes dropped meanwhile
        )  # fmt: skip
    finally:
        await engine.dispose()
    print(f"seeded {count:,} appeals in {time.perf_counter() - started:.0f} s")


_BUILD = """INSERT INTO appeal_search (appeal_id, public_doc, personal_doc, name_grams, person_keys,
                               year, seq)
    SELECT a.id, d.public_doc, d.personal_doc, d.name_grams, appeal_person_keys(a.applicants),
           a.year, a.seq
    FROM appeals a, appeal_search_docs(a) AS d WHERE a.year = $1 AND a.seq > $2 AND a.seq <= $3"""


async def build_documents(url: str) -> None:
    """Every appeal's search documents, set-based: the table emptied, its secondary indexes
    dropped, the rows inserted in batches, the indexes built again from their definitions."""
    conn = await asyncpg.connect(url)
    try:
        await conn.execute("SET maintenance_work_mem = '512MB'")
        indexes = await conn.fetch(
            """SELECT c.relname, pg_get_indexdef(c.oid) AS def FROM pg_index i
               JOIN pg_class c ON c.oid = i.indexrelid
               WHERE i.indrelid = 'appeal_search'::regclass AND NOT i.indisprimary"""
        )
        started = time.perf_counter()
        for index in indexes:
            await conn.execute(f'DROP INDEX "{index["relname"]}"')
        await conn.execute("TRUNCATE appeal_search")
        years = await conn.fetch("SELECT year, max(seq) AS top FROM appeals GROUP BY year")
        for year, top in years:
            for low in range(0, top, BUILD_BATCH):
                await conn.execute(_BUILD, year, low, low + BUILD_BATCH)
        inserted = time.perf_counter() - started
        for index in indexes:
            await conn.execute(index["def"])
        took = time.perf_counter() - started
        print(
            f"search documents built in {took:.0f} s "
            f"(rows {inserted:.0f} s, indexes {took - inserted:.0f} s)"
        )
        await conn.execute("VACUUM ANALYZE")
        with contextlib.suppress(asyncpg.InsufficientPrivilegeError):
            await conn.execute("CHECKPOINT")
    finally:
        await conn.close()


async def prepare(server_url: str, name: str, count: int, *, keep: bool) -> str:
    url = with_database(server_url, name)
    if keep:
        with contextlib.suppress(asyncpg.InvalidCatalogNameError):
            if await _seeded(url, count):
                print(f"reusing database {name} ({count:,} appeals, documents built)")
                return url
    await asyncio.to_thread(admin_sql, server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await asyncio.to_thread(admin_sql, server_url, f'CREATE DATABASE "{name}"')
    await asyncio.to_thread(migrate, url)
    await seed_appeals(url, count)
    await build_documents(url)
    return url


async def facts(url: str) -> tuple[str, str, dict[str, str]]:
    """A seeded phone (digits), the commonest status, and the server's durability settings."""
    conn = await asyncpg.connect(url)
    try:
        phone = await conn.fetchval(
            """SELECT regexp_replace(x->>'phone', '\\D', '', 'g') FROM appeals,
               jsonb_array_elements(applicants) AS x WHERE x->>'phone' IS NOT NULL
               ORDER BY year DESC, seq DESC LIMIT 1"""
        )
        status = await conn.fetchval(
            "SELECT status FROM appeals GROUP BY status ORDER BY count(*) DESC LIMIT 1"
        )
        shown = {name: await conn.fetchval(f"SHOW {name}") for name in DURABILITY}
        shown["version"] = (await conn.fetchval("SHOW server_version")).split()[0]
        return str(phone), str(status), shown
    finally:
        await conn.close()


async def sizes(url: str) -> list[tuple[str, int, int]]:
    """(relation, pg_relation_size, pg_total_relation_size) of appeal_search, its TOAST
    table and each of its indexes."""
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch(
            """SELECT c.relname, pg_relation_size(c.oid), pg_total_relation_size(c.oid)
               FROM pg_class c WHERE c.oid = 'appeal_search'::regclass
                  OR c.oid = (SELECT reltoastrelid FROM pg_class
                              WHERE oid = 'appeal_search'::regclass)
                  OR c.oid IN (SELECT indexrelid FROM pg_index
                               WHERE indrelid = 'appeal_search'::regclass)
               ORDER BY c.relkind DESC, c.relname"""
        )
        return [(r[0], r[1], r[2]) for r in rows]
    finally:
        await conn.close()


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(p / 100 * len(ordered)) - 1))]


class Bench:
    def __init__(self, url: str, redis_url: str, tokens: dict[str, str]) -> None:
        self.settings = Settings(database_url=url, redis_url=redis_url)
        self.tokens = tokens

    async def open(self, stack: AsyncExitStack) -> Bench:
        app = create_app(self.settings, FrozenClock(NOW))
        await stack.enter_async_context(app.router.lifespan_context(app))
        self.timed = Timed(app)
        self.client = await stack.enter_async_context(
            httpx.AsyncClient(transport=httpx.ASGITransport(app=self.timed), base_url="http://b")
        )
        return self

    async def run(self, kind: Kind, **extra: str) -> tuple[float, dict[str, Any]]:
        r = await self.client.get(
            "/api/v1/appeals",
            params={"q": kind.q, **kind.params, **extra},
            headers={"Authorization": f"Bearer {self.tokens[kind.key]}"},
        )
        assert r.status_code == 200, r.text
        return self.timed.last, r.json()


async def measure(bench: Bench, all_kinds: list[Kind], args: argparse.Namespace) -> list[str]:
    matched = {}
    for kind in all_kinds:
        _, body = await bench.run(kind, count="true")
        # A search counts up to 10,000 matches (README): "10,000+" beyond.
        matched[kind.title] = f"{body['total']:,}" + ("" if body["total_exact"] else "+")
    for _ in range(args.warmups):
        for kind in all_kinds:
            await bench.run(kind)
    times: dict[str, list[float]] = {kind.title: [] for kind in all_kinds}
    for _ in range(args.runs):
        for kind in all_kinds:  # interleaved round-robin
            elapsed, _ = await bench.run(kind)
            times[kind.title].append(elapsed * 1000)
    lines = []
    for kind in all_kinds:
        ms = times[kind.title]
        p50, p95, p99 = (percentile(ms, p) for p in (50, 95, 99))
        verdict = "ok" if p95 <= TARGET_MS else "OVER"
        lines.append(
            f"  {kind.title:<34} {kind.q!r:<26} matched {matched[kind.title]:>8}  "
            f"p50 {p50:7.1f}  p95 {p95:7.1f}  p99 {p99:7.1f} ms  {verdict}"
        )
    return lines


def _mib(n: int) -> str:
    return f"{n / 2**20:8.1f} MiB"


async def run(stack_urls: tuple[str, str], name: str, args: argparse.Namespace) -> None:
    server_url, redis_url = stack_urls
    url = await prepare(server_url, name, args.count, keep=args.keep is not None)
    phone, status, shown = await facts(url)
    settings = ", ".join(f"{k}={shown[k]}" for k in DURABILITY)
    print(f"PostgreSQL {shown['version']}: {settings}; {os.cpu_count()} CPUs")
    roles = {"registrar": Role.REGISTRAR}
    tokens = await issue_keys(url, roles)
    tokens["executor"] = await _executor_key(url)
    all_kinds = kinds(phone, status)
    async with AsyncExitStack() as stack:
        bench = await Bench(url, redis_url, tokens).open(stack)
        lines = await measure(bench, all_kinds, args)
    print(f"search on {args.count:,} appeals, page size default, {args.runs} runs per kind:")
    print("\n".join(lines))
    print("appeal_search sizes (pg_relation_size, pg_total_relation_size):")
    for relname, own, total in await sizes(url):
        print(f"  {relname:<34} {_mib(own)}  {_mib(total)}")


async def _executor_key(url: str) -> str:
    from appeals_api.auth import service as auth_service
    from appeals_api.db import make_sessionmaker

    engine = make_engine(Settings(database_url=url))
    try:
        async with make_sessionmaker(engine)() as session, session.begin():
            _, token = await auth_service.create_key(
                session, name="bench executor", role=Role.EXECUTOR,
                unit_code=EXECUTOR_UNIT, expires_at=None,
            )  # fmt: skip
        return token
    finally:
        await engine.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--warmups", type=int, default=3)
    parser.add_argument("--keep", metavar="NAME", default=None)
    args, _ = parser.parse_known_args()  # `make bench` passes one BENCH_ARGS to every bench
    with ScratchStack("appeals-bench-search-", durable=True) as stack:
        name = args.keep or f"bench_search_{os.getpid()}"
        if args.keep is None and stack.postgres is None:
            drop = f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'
            with contextlib.ExitStack() as cleanup:
                cleanup.callback(admin_sql, stack.server_url, drop)
                asyncio.run(run((stack.server_url, stack.redis_url), name, args))
        else:
            asyncio.run(run((stack.server_url, stack.redis_url), name, args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
