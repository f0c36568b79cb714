"""Benchmark: documents (R-12.1) through the API against a bare streaming write and read of the
same bytes to the same PostgreSQL, side by side; and the API's memory while a large file goes
through.

- upload: `POST /api/v1/appeals/{id}/documents` (multipart, streamed from a file on disk) vs the
  same bytes streamed over HTTP to a bare FastAPI endpoint (bench/bare_app.py) that writes them
  with asyncpg in 256 KiB rows, in one transaction, as they arrive;
- download: `GET /api/v1/documents/{id}/content`, read as a stream, vs the bare endpoint
  streaming the rows back one at a time;
- memory: the API's resident set sampled every 20 ms while a `--large-mib` file (25 MiB, the
  default limit) goes up and comes back down, against its size just before.

Throughput is MiB/s over all transfers of a round (`--concurrency` at once, each `--mib`), A B
A B for `--rounds`; the ratio of medians is ours / bare. Production's shape: PostgreSQL with
fsync, synchronous_commit and full_page_writes on, the worker running beside the API.

    python bench/documents.py [--mib 8] [--large-mib 25] [--concurrency 4] [--rounds 5]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO / "src"), str(REPO)]

from appeals_api.auth.roles import Role  # noqa: E402
from appeals_api.devstack.scratch import ScratchStack, issue_keys  # noqa: E402

CHUNK = 256 * 1024
BODY = {
    "kind": "complaint", "form": "electronic", "channel": "website", "language": "uz",
    "text": "Scans of the applicant's letters follow.",
    "applicants": [{"type": "individual", "last_name": "Karimov", "first_name": "Aziz",
                    "address": "Almalyk, Navoi street 5"}],
}  # fmt: skip


def _file(path: Path, mib: int) -> Path:
    """`mib` MiB exactly: a PDF by its signature, then incompressible bytes (as a scan is)."""
    head = b"%PDF-1.7\n"
    with path.open("wb") as f:
        f.write(head + os.urandom(CHUNK - len(head)))
        for _ in range(mib * 4 - 1):
            f.write(os.urandom(CHUNK))
    return path


def _rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise SystemExit(f"no VmRSS for {pid}")


class Ours:
    def __init__(self, port: int, key: str, appeal_id: str) -> None:
        self.base = f"http://127.0.0.1:{port}"
        self.headers = {"Authorization": f"Bearer {key}"}
        self.appeal_id = appeal_id

    async def upload(self, http: httpx.AsyncClient, path: Path) -> str:
        with path.open("rb") as f:
            r = await http.post(
                f"{self.base}/api/v1/appeals/{self.appeal_id}/documents",
                headers=self.headers,
                data={"kind": "scan"},
                files={"file": (path.name, f, "application/pdf")},
            )
        if r.status_code != 201:
            raise SystemExit(f"upload answered {r.status_code}: {r.text[:300]}")
        return str(r.json()["id"])

    async def download(self, http: httpx.AsyncClient, doc: str) -> int:
        size = 0
        url = f"{self.base}/api/v1/documents/{doc}/content"
        async with http.stream("GET", url, headers=self.headers) as r:
            async for part in r.aiter_bytes(CHUNK):
                size += len(part)
        return size


class Bare:
    """The baseline app (bench/bare_app.py): the same bytes streamed over HTTP into rows."""

    def __init__(self, port: int) -> None:
        self.base = f"http://127.0.0.1:{port}"

    async def upload(self, http: httpx.AsyncClient, path: Path) -> str:
        with path.open("rb") as f:
            r = await http.put(f"{self.base}/bare/blobs", content=_chunks(f))
        if r.status_code != 201:
            raise SystemExit(f"bare upload answered {r.status_code}: {r.text[:300]}")
        return str(r.json()["id"])

    async def download(self, http: httpx.AsyncClient, blob: str) -> int:
        size = 0
        async with http.stream("GET", f"{self.base}/bare/blobs/{blob}") as r:
            async for part in r.aiter_bytes(CHUNK):
                size += len(part)
        return size


async def _chunks(f: Any) -> AsyncIterator[bytes]:
    while part := f.read(CHUNK):
        yield part


async def _round(run: Callable[[int], Awaitable[object]], n: int, mib: int) -> float:
    began = time.perf_counter()
    await asyncio.gather(*(run(i) for i in range(n)))
    return n * mib / (time.perf_counter() - began)


def _line(name: str, rates: list[float]) -> str:
    return (
        f"  {name:32s} MiB/s min {min(rates):7.1f} median {statistics.median(rates):7.1f} "
        f"max {max(rates):7.1f}"
    )


async def _one_round(
    http: httpx.AsyncClient, ours: Ours, bare: Bare, path: Path, n: int, mib: int
) -> dict[str, float]:
    """One round, A B: n uploads at once each side, then n downloads of what went up."""
    docs: list[str] = []
    blobs: list[str] = []

    async def up_ours(i: int) -> None:
        docs.append(await ours.upload(http, path))

    async def up_bare(i: int) -> None:
        blobs.append(await bare.upload(http, path))

    out = {"ours up": await _round(up_ours, n, mib), "bare up": await _round(up_bare, n, mib)}
    out["ours down"] = await _round(lambda i: ours.download(http, docs[i]), n, mib)
    out["bare down"] = await _round(lambda i: bare.download(http, blobs[i]), n, mib)
    return out


async def _compare(ours: Ours, bare: Bare, path: Path, args: argparse.Namespace) -> None:
    n, mib = args.concurrency, args.mib
    rates: dict[str, list[float]] = {
        k: [] for k in ("ours up", "bare up", "ours down", "bare down")
    }
    async with httpx.AsyncClient(timeout=300) as http:
        for _ in range(args.rounds):
            for name, rate in (await _one_round(http, ours, bare, path, n, mib)).items():
                rates[name].append(rate)
    print(f"upload ({args.rounds} rounds of {n} files of {mib} MiB at once):")
    print(_line("POST …/documents", rates["ours up"]))
    print(_line("bare streaming write", rates["bare up"]))
    up = statistics.median(rates["ours up"]) / statistics.median(rates["bare up"])
    print(f"  ratio of medians: {up:.2f}")
    print(f"download ({args.rounds} rounds of {n} files of {mib} MiB at once):")
    print(_line("GET …/content", rates["ours down"]))
    print(_line("bare chunked read", rates["bare down"]))
    down = statistics.median(rates["ours down"]) / statistics.median(rates["bare down"])
    print(f"  ratio of medians: {down:.2f}")
    print(f"targets: upload {up:.2f} (>= 0.8), download {down:.2f} (>= 0.8)")


async def _memory(ours: Ours, pid: int, path: Path, mib: int, expected: int) -> None:
    """The API's RSS while one large file goes up and down: streamed, it stays flat."""
    peak = {"v": 0.0}
    done = asyncio.Event()

    async def sample() -> None:
        while not done.is_set():
            peak["v"] = max(peak["v"], _rss_mib(pid))
            await asyncio.sleep(0.02)

    first = _rss_mib(pid)
    async with httpx.AsyncClient(timeout=300) as http:
        doc = await ours.upload(http, path)  # warm: first allocations of this path
        await ours.download(http, doc)
        before = _rss_mib(pid)
        sampler = asyncio.create_task(sample())
        doc = await ours.upload(http, path)
        size = await ours.download(http, doc)
        done.set()
        await sampler
    assert size == expected, (size, expected)
    print(
        f"memory: one {mib} MiB file up and down: API RSS {before:.1f} MiB before, peak "
        f"{peak['v']:.1f} MiB (+{peak['v'] - before:.1f} MiB); {first:.1f} MiB before the "
        "first such file"
    )


async def _appeal(port: int, key: str) -> str:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
        r = await http.post(
            "/api/v1/appeals", json=BODY, headers={"Authorization": f"Bearer {key}"}
        )
    if r.status_code != 201:
        raise SystemExit(f"intake answered {r.status_code}: {r.text[:300]}")
    return str(r.json()["id"])


async def _run(
    ports: tuple[int, int], pid: int, key: str, tmp: Path, args: argparse.Namespace
) -> None:
    ours = Ours(ports[0], key, await _appeal(ports[0], key))
    await _compare(ours, Bare(ports[1]), _file(tmp / "scan.pdf", args.mib), args)
    large = _file(tmp / "large.pdf", args.large_mib)
    await _memory(ours, pid, large, args.large_mib, large.stat().st_size)


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mib", type=int, default=8)
    parser.add_argument("--large-mib", type=int, default=25)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=5)
    args, _ = parser.parse_known_args()  # `make bench` passes one BENCH_ARGS to every bench
    return args


def main() -> int:
    args = _arguments()
    with ScratchStack("appeals-bench-docs-", durable=True) as stack:
        url = stack.database(f"bench_docs_{uuid.uuid4().hex[:8]}")
        key = asyncio.run(issue_keys(url, {"bench registrar": Role.REGISTRAR}))["bench registrar"]
        env = stack.child_env(url, BARE_DATABASE_URL=url)
        api, port = stack.serve(["appeals_api.main:create_app", "--factory"], env)
        _, bare = stack.serve(["bench.bare_app:app"], env)
        stack.worker(env, log=stack.tmp / "worker.log")
        print("shape production: fsync, synchronous_commit, full_page_writes on; worker on")
        asyncio.run(_run((port, bare), api.pid, key, stack.tmp, args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
