"""Benchmark: our intake and reads against a bare FastAPI + asyncpg baseline, side by side.

Both servers run at once (one uvicorn worker each) on the same PostgreSQL; a light load
generator (raw HTTP/1.1 keep-alive connections, fixed concurrency) runs them interleaved,
A B A B, for a fixed time each. Prints throughput and latency per side as min/median/max over
the rounds, and the ratios of medians:

- intake: POST /api/v1/appeals (a fresh Idempotency-Key each) vs B1, one INSERT … RETURNING;
- read: GET /api/v1/appeals/{id} vs a bare select by primary key;
- list: GET /api/v1/appeals page 1 vs page 1,000 (keyset pagination keeps them close);
- similar at intake (issue 15): POST /api/v1/appeals by a registrar, whose answer carries the
  applicant's likely duplicates and repeats (`similar`), vs the same by an intake key, whose
  does not; both with varied applicants and texts, a tenth of them the same applicant again.

- search index (issue 15): intake while the worker builds the new appeals' search rows vs
  intake while it is paused (`bench/index_pause.py`), in production's shape only.

Throughput and latencies count only the answer a request should get (201 for intake, 200 for
reads); every other answer is counted by status beside them, and a last line sums them all,
warm-ups included.

Shapes (`--shape`; the header prints the one run, as the servers report it):
- production, the default: PostgreSQL with fsync, synchronous_commit and full_page_writes on,
  Redis with its append-only file, the arq worker running beside the API as `make run` starts
  it, concurrency 32;
- fast, the shape of the figures up to issue 7: durability off, no worker, concurrency 16.
Servers named by APPEALS_DATABASE_URL / APPEALS_REDIS_URL are taken with their own settings.

    python bench/intake.py [--shape production|fast] [--concurrency N] [--seconds 5]
        [--rounds 5] [--list-rows 60000] [--soak SECONDS]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import itertools
import os
import random
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx
import redis.asyncio as aioredis

REPO = Path(__file__).resolve().parent.parent
# This checkout's sources, whichever checkout the virtualenv's editable install points at.
sys.path[:0] = [str(REPO / "src"), str(REPO)]

# Imported after the path above.
from bench.bodies import BODY_BYTES, varied_bodies  # noqa: E402
from bench.index_pause import paused  # noqa: E402
from bench.loadgen import (  # noqa: E402
    Pair,
    by_status,
    load,
    non_2xx,
    pair,
    request,
    status_name,
)

from appeals_api.auth.roles import Role  # noqa: E402
from appeals_api.devstack.processes import log_tail  # noqa: E402
from appeals_api.devstack.scratch import ScratchStack, issue_keys  # noqa: E402


@dataclass(frozen=True)
class Shape:
    durable: bool  # PostgreSQL fsync, synchronous_commit, full_page_writes; Redis AOF
    worker: bool
    concurrency: int


SHAPES = {
    "production": Shape(durable=True, worker=True, concurrency=32),
    "fast": Shape(durable=False, worker=False, concurrency=16),
}
DURABILITY = ("fsync", "synchronous_commit", "full_page_writes")


def _rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise SystemExit(f"no VmRSS for {pid}")


async def _soak(
    pid: int, port: int, make: Callable[[int], bytes], args: argparse.Namespace
) -> None:
    """Resident memory of the API under steady intake load: it should stay flat."""
    warm = await load(port, make, 201, concurrency=args.concurrency, seconds=10)
    start, samples, done, other = _rss_mib(pid), [], 0, warm.other
    print(f"soak: {args.soak:g} s of intake at concurrency {args.concurrency}; RSS {start:.1f} MiB")
    began = time.monotonic()
    while time.monotonic() - began < args.soak:
        run = await load(port, make, 201, concurrency=args.concurrency, seconds=60)
        done += run.ok
        other += run.other
        samples.append(_rss_mib(pid))
        print(
            f"  {time.monotonic() - began:5.0f} s  {done:7d} appeals  RSS {samples[-1]:.1f} MiB"
            f"  non-2xx {non_2xx(other):,}"
        )
    print(
        f"soak: RSS {start:.1f} -> {samples[-1]:.1f} MiB (growth {samples[-1] - start:+.1f} MiB, "
        f"max {max(samples):.1f}) over {done} appeals; answers other than 201, warm-up "
        f"included: {by_status(other) or 'none'}"
    )


def _cursor(year: int, seq: int) -> str:
    return base64.urlsafe_b64encode(f"{year}:{seq}".encode()).decode().rstrip("=")


async def _seed_archive(url: str, list_rows: int) -> None:
    """An archive for the list pages, in an earlier year than the benchmark's intake."""
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(
            """
            INSERT INTO appeals (id, year, seq, kind, form, channel, language, status,
                received_at, registered_on, answer_rule, due_date, text, applicants,
                needs_anonymity_check, needs_authority_check, confidential, control, units,
                tracking_code_hash, created_at, updated_at, version)
            SELECT gen_random_uuid(), 2020, g, 'complaint', 'electronic', 'website', 'uz',
                'registered', timestamptz '2020-03-02 10:00+05', date '2020-03-02', 'answer',
                date '2020-03-17', 'Archived appeal ' || g, '[]', false, false, false,
                '{"type": "internal"}', '{}', md5(g::text), now(), now(), 1
            FROM generate_series(1, $1::int) AS g
            """,
            list_rows,
        )
        await conn.execute("ANALYZE")
    finally:
        await conn.close()


@dataclass
class Target:
    """The two servers under load and what requests to them need."""

    url: str  # the benchmark's database
    api_pid: int
    ours: int  # ports
    bare: int
    intake_key: str
    reader_key: str


def _intake_requests(intake_key: str) -> tuple[Callable[[int], bytes], Callable[[int], bytes]]:
    headers = {"Authorization": f"Bearer {intake_key}", "Content-Type": "application/json"}
    # `i` starts again at 0 in every run: the key must not, or later runs measure replays.
    fresh = itertools.count()
    run_id = uuid.uuid4().hex[:8]

    def ours(i: int) -> bytes:
        key = {"Idempotency-Key": f"bench-{run_id}-{next(fresh)}"}
        return request("POST", "/api/v1/appeals", headers | key, BODY_BYTES)

    def bare(i: int) -> bytes:
        return request("POST", "/bare", {"Content-Type": "application/json"}, BODY_BYTES)

    return ours, bare


async def _reads(target: Target, args: argparse.Namespace) -> tuple[Pair, Pair]:
    """Read by id and the list pages, on what intake wrote and the archive."""
    read_headers = {"Authorization": f"Bearer {target.reader_key}"}
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{target.ours}") as http:
        page = await http.get(
            "/api/v1/appeals",
            params={"limit": 1000, "received_from": "2021-01-01"},
            headers=read_headers,
        )
        ids = [a["id"] for a in page.json()["items"]]
    conn = await asyncpg.connect(target.url)
    bare_ids = [r["id"] for r in await conn.fetch("SELECT id FROM bare_appeals LIMIT 1000")]
    offset = min(999 * 50, max(0, await conn.fetchval("SELECT count(*) FROM appeals") - 50))
    last = await conn.fetchrow(
        "SELECT year, seq FROM appeals ORDER BY year DESC, seq DESC OFFSET $1 LIMIT 1",
        offset - 1,
    )
    await conn.close()
    ours, bare = target.ours, target.bare
    read = await pair(
        "read by id",
        ("GET /api/v1/appeals/{id}", ours,
         lambda i: request("GET", f"/api/v1/appeals/{ids[i % len(ids)]}", read_headers), 200),
        ("bare select by pk", bare,
         lambda i: request("GET", f"/bare/{bare_ids[i % len(bare_ids)]}", {}), 200),
        args,
    )  # fmt: skip
    deep = f"/api/v1/appeals?limit=50&cursor={_cursor(last['year'], last['seq'])}"
    pages = await pair(
        "list",
        ("page 1,000", ours, lambda i: request("GET", deep, read_headers), 200),
        ("page 1", ours, lambda i: request("GET", "/api/v1/appeals?limit=50", read_headers), 200),
        args,
    )  # fmt: skip
    return read, pages


def _similar_requests(target: Target) -> tuple[Callable[[int], bytes], Callable[[int], bytes]]:
    """The same varied bodies, posted by a registrar (with `similar`) and by an intake key."""
    bodies = varied_bodies(20_000, random.Random(15))
    fresh = itertools.count()
    run_id = uuid.uuid4().hex[:8]

    def by(key: str) -> Callable[[int], bytes]:
        headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}

        def make(i: int) -> bytes:
            n = next(fresh)
            idem = {"Idempotency-Key": f"similar-{run_id}-{n}"}
            return request("POST", "/api/v1/appeals", headers | idem, bodies[n % len(bodies)])

        return make

    return by(target.reader_key), by(target.intake_key)


async def _measure(target: Target, args: argparse.Namespace) -> None:
    ours_intake, bare_intake = _intake_requests(target.intake_key)
    if args.soak:
        await _soak(target.api_pid, target.ours, ours_intake, args)
        return
    intake = await pair(
        "intake", ("POST /api/v1/appeals", target.ours, ours_intake, 201),
        ("B1 bare insert", target.bare, bare_intake, 201), args,
    )  # fmt: skip
    if args.intake_only:
        others = by_status(intake.other) or "none"
        print(f"targets: intake throughput {intake.throughput:.2f} (>= 0.6), intake p99 "
              f"{intake.p99:.2f} (<= 2.0); answers other than 201: {others}")  # fmt: skip
        return
    read, pages = await _reads(target, args)
    with_similar, without = _similar_requests(target)
    similar = await pair(
        "similar at intake", ("registrar: with similar", target.ours, with_similar, 201),
        ("intake key: without", target.ours, without, 201), args,
    )  # fmt: skip
    index = None
    if args.shape == "production":  # the worker builds the search rows
        index = await pair(
            "search index", ("intake, index built", target.ours, ours_intake, 201),
            ("intake, index paused", target.ours, ours_intake, 201), args,
            around=lambda label: paused(target.url) if "paused" in label else nullcontext(),
        )  # fmt: skip
        print(f"target: intake with the index {index.throughput:.2f} of without (>= 0.90)")
    print(
        f"targets: intake throughput {intake.throughput:.2f} (>= 0.6), intake p99 "
        f"{intake.p99:.2f} (<= 2.0), read {read.throughput:.2f} (>= 0.6), "
        f"page 1,000 / page 1 {pages.throughput:.2f}, similar p99 {similar.p99:.2f} (<= 1.10)"
    )
    other = intake.other + read.other + pages.other + similar.other
    if index is not None:
        other += index.other
    not_2xx = sum(n for (_, status), n in other.items() if not 200 <= status < 300)
    server_errors = sum(n for (_, status), n in other.items() if status >= 500)
    print(
        f"answers other than expected, warm-ups included: non-2xx {not_2xx:,} "
        f"(5xx {server_errors:,})"
        + "".join(
            f"; {label} {status_name(status)} × {n:,}"
            for (label, status), n in sorted(other.items())
        )
    )


async def _server_settings(stack: ScratchStack) -> tuple[dict[str, str], str]:
    """PostgreSQL's durability settings and Redis' appendonly, as the servers report them."""
    conn = await asyncpg.connect(stack.server_url)
    try:
        durability = {name: await conn.fetchval(f"SHOW {name}") for name in DURABILITY}
        version = await conn.fetchval("SHOW server_version")
    finally:
        await conn.close()
    durability["version"] = version.split()[0]
    client = aioredis.Redis.from_url(stack.redis_url)
    try:
        appendonly = (await client.config_get("appendonly")).get("appendonly", "?")
    except aioredis.RedisError:  # a managed Redis may refuse CONFIG
        appendonly = "?"
    finally:
        await client.aclose()
    return durability, appendonly


def _header(args: argparse.Namespace, stack: ScratchStack, worker: int | None) -> None:
    """The shape run, as the servers report it: the first thing a recorded figure needs."""
    shape = SHAPES[args.shape]
    durability, appendonly = asyncio.run(_server_settings(stack))
    where = "embedded" if stack.postgres is not None else "APPEALS_DATABASE_URL"
    settings = ", ".join(f"{name}={durability[name]}" for name in DURABILITY)
    running = f"on (arq, pid {worker})" if worker else "off"
    print(
        f"shape {args.shape}: {settings}; concurrency {args.concurrency}; worker {running}; "
        f"API processes {args.api_processes}"
    )
    print(
        f"  PostgreSQL {durability['version']} at {stack.server_url.rsplit('@', 1)[-1]} "
        f"({where}); Redis appendonly={appendonly} "
        f"({'embedded' if stack.redis is not None else 'APPEALS_REDIS_URL'}); "
        f"{os.cpu_count()} CPUs"
    )
    durable = all(durability[name] == "on" for name in DURABILITY)
    if durable != shape.durable:
        print(
            f"  note: shape {args.shape} asks for durability {'on' if shape.durable else 'off'}; "
            f"the server at {where} has it as shown: these are not the shape's figures"
        )


async def _wait_for_heartbeat(url: str, worker: subprocess.Popen[bytes], log: Path) -> None:
    """Until the worker has written its first heartbeat (its start-up jobs are running)."""
    conn = await asyncpg.connect(url)
    try:
        deadline = time.monotonic() + 60
        while not await conn.fetchval(
            "SELECT count(*) FROM worker_heartbeats WHERE pid = $1", worker.pid
        ):
            if worker.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the worker did not start; {log}:\n{log_tail(log)}")
            await asyncio.sleep(0.2)
    finally:
        await conn.close()


async def _worker_report(url: str) -> str:
    conn = await asyncpg.connect(url)
    try:
        row = await conn.fetchrow("SELECT count(feed_id) AS fed, count(*) AS all FROM events")
        indexed = await conn.fetchval("SELECT count(*) FROM appeal_search")
    finally:
        await conn.close()
    return (
        f"{row['fed']:,} of {row['all']:,} events given a feed position; "
        f"{indexed:,} appeals with search rows"
    )


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shape", choices=sorted(SHAPES), default="production")
    parser.add_argument(
        "--concurrency", type=int, default=None, help="the shape's unless given (32 or 16)"
    )
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--list-rows", type=int, default=60_000)
    parser.add_argument(
        "--soak",
        type=float,
        default=0,
        help="instead of the comparisons: intake load for this many seconds, reporting the "
        "API's resident memory every minute",
    )
    parser.add_argument(
        "--api-processes", type=int, default=1,
        help="our API as this many uvicorn worker processes (APPEALS_WEB_CONCURRENCY)",
    )  # fmt: skip
    parser.add_argument("--intake-only", action="store_true", help="only the intake pair")
    # `make bench` passes one BENCH_ARGS to every benchmark: each takes the options it knows.
    args, _ = parser.parse_known_args()
    if args.concurrency is None:
        args.concurrency = SHAPES[args.shape].concurrency
    return args


def main() -> int:
    args = _arguments()
    shape = SHAPES[args.shape]
    if args.list_rows < 50_000:
        print("note: fewer than 50,000 rows: the 'page 1000' run reads the last page there is")
    with ScratchStack("appeals-bench-", durable=shape.durable) as stack:
        url = stack.database(f"bench_intake_{uuid.uuid4().hex[:8]}")
        asyncio.run(_seed_archive(url, args.list_rows))
        keys = asyncio.run(
            issue_keys(url, {"bench intake": Role.INTAKE, "bench reader": Role.REGISTRAR})
        )
        env = stack.child_env(
            url, APPEALS_INTAKE_PER_KEY_PER_MINUTE="1000000000", BARE_DATABASE_URL=url
        )
        processes = ["--workers", str(args.api_processes)] if args.api_processes > 1 else []
        api, ours = stack.serve(["appeals_api.main:create_app", "--factory", *processes], env)
        _, bare = stack.serve(["bench.bare_app:app"], env)
        worker, log = None, stack.tmp / "worker.log"
        if shape.worker:
            worker = stack.worker(env, log=log)
            asyncio.run(_wait_for_heartbeat(url, worker, log))
        _header(args, stack, worker.pid if worker else None)
        target = Target(url, api.pid, ours, bare, keys["bench intake"], keys["bench reader"])
        asyncio.run(_measure(target, args))
        if worker is not None:
            if worker.poll() is not None:
                print(f"the worker exited with code {worker.returncode} during the run:")
                print(log_tail(log))
                return 1
            print(f"worker: running to the end; {asyncio.run(_worker_report(url))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
