"""Benchmark: our intake and reads against a bare FastAPI + asyncpg baseline, side by side.

Both servers run at once (one uvicorn worker each) on the same PostgreSQL; a light load
generator (raw HTTP/1.1 keep-alive connections, fixed concurrency) runs them interleaved,
A B A B, for a fixed time each. Prints throughput and latency per side as min/median/max over
the rounds, and the ratios of medians:

- intake: POST /api/v1/appeals (a fresh Idempotency-Key each) vs B1, one INSERT … RETURNING;
- read: GET /api/v1/appeals/{id} vs a bare select by primary key;
- list: GET /api/v1/appeals page 1 vs page 1,000 (keyset pagination keeps them close).

    python bench/intake.py [--concurrency 16] [--seconds 5] [--rounds 5] [--list-rows 60000]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import itertools
import json
import os
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import httpx

REPO = Path(__file__).resolve().parent.parent
# This checkout's sources, whichever checkout the virtualenv's editable install points at.
sys.path.insert(0, str(REPO / "src"))

from appeals_api.auth.roles import Role  # noqa: E402 - after the path above
from appeals_api.devstack.scratch import ScratchStack, issue_keys  # noqa: E402

BODY = {
    "kind": "complaint",
    "form": "electronic",
    "channel": "website",
    "language": "uz",
    "text": "The dust from the tailings reaches our street; please take measures.",
    "applicants": [
        {
            "type": "individual",
            "last_name": "Karimov",
            "first_name": "Aziz",
            "address": "Almalyk, Navoi street 5",
            "phone": "+998 90 000 00 00",
        }
    ],
}
BODY_BYTES = json.dumps(BODY).encode()


@dataclass
class Run:
    done: int = 0
    errors: int = 0
    latencies: list[float] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def rps(self) -> float:
        return self.done / self.seconds

    def p(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def _request(method: str, path: str, headers: dict[str, str], body: bytes = b"") -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: bench", f"Content-Length: {len(body)}"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def _response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    return status, await reader.readexactly(length)


async def load(
    port: int, make: Callable[[int], bytes], ok: int, *, concurrency: int, seconds: float
) -> Run:
    """Fixed concurrency for a fixed time: one keep-alive connection per concurrent client."""
    run, counter = Run(), itertools.count()
    deadline = time.perf_counter() + seconds

    async def client() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while time.perf_counter() < deadline:
                request = make(next(counter))
                started = time.perf_counter()
                writer.write(request)
                status, _ = await _response(reader)
                run.latencies.append(time.perf_counter() - started)
                run.done += 1
                if status != ok:
                    run.errors += 1
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(concurrency)))
    run.seconds = time.perf_counter() - started
    return run


def _summary(label: str, runs: list[Run]) -> tuple[float, float]:
    rps = [r.rps for r in runs]
    p99 = [r.p(0.99) for r in runs]
    errors = sum(r.errors for r in runs)
    print(
        f"  {label:<28} req/s min {min(rps):7.0f} median {statistics.median(rps):7.0f} "
        f"max {max(rps):7.0f} | p50 {statistics.median(r.p(0.5) for r in runs):6.1f} ms "
        f"p99 min {min(p99):6.1f} median {statistics.median(p99):6.1f} max {max(p99):6.1f} ms"
        + (f" | {errors} unexpected answers" if errors else "")
    )
    return statistics.median(rps), statistics.median(p99)


async def _pair(
    name: str,
    a: tuple[str, int, Callable[[int], bytes], int],
    b: tuple[str, int, Callable[[int], bytes], int],
    args: argparse.Namespace,
) -> tuple[float, float]:
    runs: dict[str, list[Run]] = {a[0]: [], b[0]: []}
    for _label, port, make, ok in (a, b):  # warm-up
        await load(port, make, ok, concurrency=args.concurrency, seconds=min(1.0, args.seconds))
    for _ in range(args.rounds):
        for label, port, make, ok in (a, b):
            runs[label].append(
                await load(port, make, ok, concurrency=args.concurrency, seconds=args.seconds)
            )
    print(f"{name} ({args.rounds} rounds of {args.seconds:g} s, concurrency {args.concurrency}):")
    a_rps, a_p99 = _summary(a[0], runs[a[0]])
    b_rps, b_p99 = _summary(b[0], runs[b[0]])
    print(f"  ratio of medians: throughput {a_rps / b_rps:.2f}, p99 {a_p99 / b_p99:.2f}")
    return a_rps / b_rps, a_p99 / b_p99


def _rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise SystemExit(f"no VmRSS for {pid}")


async def _soak(
    pid: int, port: int, make: Callable[[int], bytes], args: argparse.Namespace
) -> None:
    """Resident memory of the API under steady intake load: it should stay flat."""
    await load(port, make, 201, concurrency=args.concurrency, seconds=10)  # warm-up
    start, samples, done = _rss_mib(pid), [], 0
    print(f"soak: {args.soak:g} s of intake at concurrency {args.concurrency}; RSS {start:.1f} MiB")
    began = time.monotonic()
    while time.monotonic() - began < args.soak:
        run = await load(port, make, 201, concurrency=args.concurrency, seconds=60)
        done += run.done
        samples.append(_rss_mib(pid))
        print(f"  {time.monotonic() - began:5.0f} s  {done:7d} appeals  RSS {samples[-1]:.1f} MiB")
    print(
        f"soak: RSS {start:.1f} -> {samples[-1]:.1f} MiB (growth {samples[-1] - start:+.1f} MiB, "
        f"max {max(samples):.1f}) over {done} appeals"
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
        return _request("POST", "/api/v1/appeals", headers | key, BODY_BYTES)

    def bare(i: int) -> bytes:
        return _request("POST", "/bare", {"Content-Type": "application/json"}, BODY_BYTES)

    return ours, bare


async def _reads(target: Target, args: argparse.Namespace) -> tuple[float, float]:
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
    read = await _pair(
        "read by id",
        ("GET /api/v1/appeals/{id}", ours,
         lambda i: _request("GET", f"/api/v1/appeals/{ids[i % len(ids)]}", read_headers), 200),
        ("bare select by pk", bare,
         lambda i: _request("GET", f"/bare/{bare_ids[i % len(bare_ids)]}", {}), 200),
        args,
    )  # fmt: skip
    deep = f"/api/v1/appeals?limit=50&cursor={_cursor(last['year'], last['seq'])}"
    pages = await _pair(
        "list",
        ("page 1,000", ours, lambda i: _request("GET", deep, read_headers), 200),
        ("page 1", ours, lambda i: _request("GET", "/api/v1/appeals?limit=50", read_headers), 200),
        args,
    )  # fmt: skip
    return read[0], pages[0]


async def _measure(target: Target, args: argparse.Namespace) -> None:
    ours_intake, bare_intake = _intake_requests(target.intake_key)
    if args.soak:
        await _soak(target.api_pid, target.ours, ours_intake, args)
        return
    intake = await _pair(
        "intake", ("POST /api/v1/appeals", target.ours, ours_intake, 201),
        ("B1 bare insert", target.bare, bare_intake, 201), args,
    )  # fmt: skip
    read, pages = await _reads(target, args)
    print(
        f"targets: intake throughput {intake[0]:.2f} (>= 0.6), intake p99 {intake[1]:.2f} "
        f"(<= 2.0), read {read:.2f} (>= 0.6), page 1,000 / page 1 {pages:.2f}"
    )


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrency", type=int, default=16)
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
    # `make bench` passes one BENCH_ARGS to every benchmark: each takes the options it knows.
    args, _ = parser.parse_known_args()
    return args


def main() -> None:
    args = _arguments()
    if args.list_rows < 50_000:
        print("note: fewer than 50,000 rows: the 'page 1000' run reads the last page there is")
    with ScratchStack("appeals-bench-") as stack:
        url = stack.database(f"bench_intake_{uuid.uuid4().hex[:8]}")
        asyncio.run(_seed_archive(url, args.list_rows))
        keys = asyncio.run(
            issue_keys(url, {"bench intake": Role.INTAKE, "bench reader": Role.REGISTRAR})
        )
        env = stack.child_env(
            url, APPEALS_INTAKE_PER_KEY_PER_MINUTE="1000000000", BARE_DATABASE_URL=url
        )
        api, ours = stack.serve(["appeals_api.main:create_app", "--factory"], env)
        _, bare = stack.serve(["bench.bare_app:app"], env)
        print(f"PostgreSQL {stack.server_url.rsplit('@', 1)[-1]}, {os.cpu_count()} CPUs")
        target = Target(url, api.pid, ours, bare, keys["bench intake"], keys["bench reader"])
        asyncio.run(_measure(target, args))


if __name__ == "__main__":
    main()
