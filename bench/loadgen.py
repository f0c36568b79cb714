"""The load generator of the side-by-side benchmarks: raw HTTP/1.1 keep-alive connections at a
fixed concurrency for a fixed time, and the figures of runs interleaved A B A B.

Throughput and latencies count only the answer a request should get; every other answer is
counted by status (0: the connection closed without one).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import math
import statistics
import time
from collections import Counter
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager, nullcontext
from dataclasses import dataclass, field

NO_ANSWER = 0  # the status counted when the server closed the connection instead of answering


@dataclass
class Run:
    expected: int  # the status every request should get
    statuses: Counter[int] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)  # of the expected answers only
    seconds: float = 0.0

    @property
    def ok(self) -> int:
        return self.statuses[self.expected]

    @property
    def rps(self) -> float:
        return self.ok / self.seconds

    @property
    def other(self) -> Counter[int]:
        return Counter({s: n for s, n in self.statuses.items() if s != self.expected})

    def p(self, q: float) -> float:
        if not self.latencies:
            return math.nan
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


@dataclass
class Pair:
    throughput: float  # ratios of medians, first side over second
    p99: float
    other: Counter[tuple[str, int]]  # answers not expected, by side and status, warm-ups too


def ratio(a: float, b: float) -> float:
    return a / b if b else math.nan


def non_2xx(statuses: Counter[int]) -> int:
    return sum(n for s, n in statuses.items() if not 200 <= s < 300)


def status_name(status: int) -> str:
    return "no answer" if status == NO_ANSWER else str(status)


def by_status(statuses: Counter[int]) -> str:
    return ", ".join(f"{n:,} × {status_name(s)}" for s, n in sorted(statuses.items()))


def request(method: str, path: str, headers: dict[str, str], body: bytes = b"") -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: bench", f"Content-Length: {len(body)}"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
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
    run, counter = Run(ok), itertools.count()
    deadline = time.perf_counter() + seconds

    async def client() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while time.perf_counter() < deadline:
                message = make(next(counter))
                started = time.perf_counter()
                writer.write(message)
                try:
                    status, _ = await response(reader)
                except (asyncio.IncompleteReadError, ConnectionError):
                    # Closed without an answer: counted, and the client connects again.
                    run.statuses[NO_ANSWER] += 1
                    writer.close()
                    reader, writer = await asyncio.open_connection("127.0.0.1", port)
                    continue
                if status == ok:
                    run.latencies.append(time.perf_counter() - started)
                run.statuses[status] += 1
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(concurrency)))
    run.seconds = time.perf_counter() - started
    return run


def summary(label: str, runs: list[Run]) -> tuple[float, float]:
    rps = [r.rps for r in runs]
    p99 = [r.p(0.99) for r in runs]
    statuses = sum((r.statuses for r in runs), Counter[int]())
    other = sum((r.other for r in runs), Counter[int]())
    print(
        f"  {label:<28} req/s min {min(rps):7.0f} median {statistics.median(rps):7.0f} "
        f"max {max(rps):7.0f} | p50 {statistics.median(r.p(0.5) for r in runs):6.1f} ms "
        f"p99 min {min(p99):6.1f} median {statistics.median(p99):6.1f} max {max(p99):6.1f} ms"
        f" | {sum(r.ok for r in runs):,} × {runs[0].expected}, "
        f"non-2xx {non_2xx(statuses):,}"
        + (f", unexpected answers: {by_status(other)}" if other else "")
    )
    return statistics.median(rps), statistics.median(p99)


async def pair(
    name: str,
    a: tuple[str, int, Callable[[int], bytes], int],
    b: tuple[str, int, Callable[[int], bytes], int],
    args: argparse.Namespace,
    *,
    around: Callable[[str], AbstractAsyncContextManager[None]] | None = None,
) -> Pair:
    """A and B interleaved, `args.rounds` times each after a warm-up; `around(label)`, when
    given, is entered around each run of that side (e.g. to pause the worker's work)."""
    runs: dict[str, list[Run]] = {a[0]: [], b[0]: []}
    within = around or (lambda _: nullcontext())
    other: Counter[tuple[str, int]] = Counter()
    for label, port, make, ok in (a, b):  # warm-up
        async with within(label):
            run = await load(
                port, make, ok, concurrency=args.concurrency, seconds=min(1.0, args.seconds)
            )
        other.update({(label, s): n for s, n in run.other.items()})
    for _ in range(args.rounds):
        for label, port, make, ok in (a, b):
            async with within(label):
                run = await load(port, make, ok, concurrency=args.concurrency, seconds=args.seconds)
            runs[label].append(run)
            other.update({(label, s): n for s, n in run.other.items()})
    print(f"{name} ({args.rounds} rounds of {args.seconds:g} s, concurrency {args.concurrency}):")
    a_rps, a_p99 = summary(a[0], runs[a[0]])
    b_rps, b_p99 = summary(b[0], runs[b[0]])
    pair = Pair(ratio(a_rps, b_rps), ratio(a_p99, b_p99), other)
    print(f"  ratio of medians: throughput {pair.throughput:.2f}, p99 {pair.p99:.2f}")
    return pair
