"""Issue 19, item 5: slow and idle connections are bounded. The API served as every launcher
serves it (`appeals_api.serving`), a real uvicorn process on a free port with a 1 s header
time-out: a trickling head is cut (408), a connection that says nothing is closed, an oversized
head is refused (431), a keep-alive client is unaffected, and beyond the concurrency limit a
request gets 503. Before, uvicorn held all of these open for as long as the client liked."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from appeals_api import serving
from appeals_api.config import Settings
from appeals_api.devstack import free_port, scratch, supervisor
from tests.helpers.common import REPO

pytestmark = pytest.mark.slow  # runs the API as a process of its own

HEAD_TIMEOUT = 1.0
MAX_HEAD = 4096
CONCURRENCY = 6
GET = b"GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n"


@pytest.fixture(scope="module")
def port(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("APPEALS_")}
    env |= {"APPEALS_DATABASE_URL": settings.database_url, "APPEALS_REDIS_URL": settings.redis_url}
    env |= {
        "APPEALS_HEADER_TIMEOUT_SECONDS": str(HEAD_TIMEOUT),
        "APPEALS_MAX_HEADER_BYTES": str(MAX_HEAD),
        "APPEALS_CONCURRENCY_LIMIT": str(CONCURRENCY),
    }
    port, log = free_port(), tmp_path_factory.mktemp("served") / "api.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            serving.serve_command("127.0.0.1", port), cwd=REPO, env=env,
            stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        _wait_healthy(proc, port, log)
        yield port
    finally:
        proc.terminate()
        proc.wait(20)


def _wait_healthy(proc: subprocess.Popen[bytes], port: int, log: Path) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        assert proc.poll() is None and time.monotonic() < deadline, log.read_text()
        time.sleep(0.2)


def _connect(port: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    return sock


def _read_until_closed(sock: socket.socket, limit: float = 10) -> bytes:
    """Everything the server sends until it closes (or `limit` s pass: the test then fails)."""
    sock.settimeout(limit)
    got = b""
    while chunk := sock.recv(65536):
        got += chunk
    return got


def _one_response(sock: socket.socket) -> bytes:
    """One response to GET /healthz (its head and its Content-Length body)."""
    got = b""
    while b"\r\n\r\n" not in got:
        got += sock.recv(65536)
    head, _, body = got.partition(b"\r\n\r\n")
    length = next(
        int(line.split(b":", 1)[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    )
    while len(body) < length:
        body += sock.recv(65536)
    return head


def _problem(answer: bytes) -> dict[str, object]:
    """The problem+json body of a whole answer read until the server closed."""
    head, _, body = answer.partition(b"\r\n\r\n")
    assert b"content-type: application/problem+json" in head.lower(), head
    assert b"connection: close" in head.lower(), head
    problem: dict[str, object] = json.loads(body)
    return problem


def test_issue19_5_a_trickling_request_head_is_cut_with_408(port: int) -> None:
    sock = _connect(port)
    started = time.monotonic()
    sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: test\r\n")
    sock.settimeout(0.2)
    answer = b""
    with sock:
        while time.monotonic() - started < 10:  # a header line every 0.2 s, for ever
            try:
                sock.sendall(b"X-Slow: 1\r\n")
                if not (chunk := sock.recv(65536)):
                    break
                answer += chunk
            except TimeoutError:
                continue
            except (ConnectionResetError, BrokenPipeError):
                break
    elapsed = time.monotonic() - started
    assert answer.startswith(b"HTTP/1.1 408 "), answer
    problem = _problem(answer)
    assert (problem["status"], problem["code"]) == (408, "request_head_timeout")
    assert "1 " in str(problem["detail"])  # the time it had, in the default language (uz)
    assert HEAD_TIMEOUT * 0.8 <= elapsed < HEAD_TIMEOUT + 4, elapsed


def test_issue19_5_a_connection_that_says_nothing_is_closed(port: int) -> None:
    with _connect(port) as sock:
        started = time.monotonic()
        assert _read_until_closed(sock) == b""  # closed, without an answer to nothing
        assert HEAD_TIMEOUT * 0.8 <= time.monotonic() - started < HEAD_TIMEOUT + 4


@pytest.mark.parametrize("whole", [True, False], ids=["in-one-piece", "never-ending"])
def test_issue19_5_an_oversized_request_head_is_refused_with_431(port: int, whole: bool) -> None:
    head = b"GET /healthz HTTP/1.1\r\nHost: test\r\nX-Big: " + b"a" * (MAX_HEAD * 2)
    with _connect(port) as sock:
        sock.sendall(head + (b"\r\n\r\n" if whole else b""))
        answer = _read_until_closed(sock)
    assert answer.startswith(b"HTTP/1.1 431 "), answer[:200]
    problem = _problem(answer)
    assert (problem["status"], problem["code"]) == (431, "request_head_too_large")
    assert str(MAX_HEAD) in str(problem["detail"])


def test_issue19_5_a_keep_alive_client_is_unaffected_then_idle_is_bounded(port: int) -> None:
    """Four requests on one connection over twice the header time-out: each head has the whole
    time from the previous response. Then, idle, the connection is closed."""
    with _connect(port) as sock:
        for _ in range(4):
            sock.sendall(GET)
            assert _one_response(sock).startswith(b"HTTP/1.1 200 ")
            time.sleep(HEAD_TIMEOUT / 2)
        started = time.monotonic()
        assert _read_until_closed(sock) == b""
        assert time.monotonic() - started < HEAD_TIMEOUT + 4


def test_issue19_5_beyond_the_concurrency_limit_a_request_gets_503(port: int) -> None:
    held = [_connect(port) for _ in range(CONCURRENCY - 1)]
    try:
        with _connect(port) as sock:
            sock.sendall(GET)
            assert _one_response(sock).startswith(b"HTTP/1.1 503 ")
    finally:
        for sock in held:
            sock.close()
    time.sleep(0.2)  # the server notices the closed ones
    with _connect(port) as sock:
        sock.sendall(GET)
        assert _one_response(sock).startswith(b"HTTP/1.1 200 ")


def test_issue19_5_every_launcher_serves_through_the_one_command(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`make run` and the scratch stacks (benchmarks, fuzzer) start `serving.serve_command`;
    `make api` and the Dockerfile run the same module (tests/test_dockerfile.py); and the
    command it execs carries the limits, after any option a launcher adds."""
    started: list[list[str]] = []

    def fake_spawn(args: list[str], **_: object) -> object:
        started.append(args)
        return object()

    monkeypatch.setattr(supervisor, "spawn", fake_spawn)
    supervisor._start_children(REPO, {}, 8123, Settings(workers=1))
    assert started[0] == serving.serve_command("127.0.0.1", 8123)

    monkeypatch.setattr(scratch, "spawn", fake_spawn)
    monkeypatch.setattr(scratch, "_wait_ready", lambda *args: None)
    stack = scratch.ScratchStack("appeals-launchers-")  # not entered: no servers, no files
    _, bench_port = stack.serve(["bench.bare_app:app"], {})
    assert started[-1] == serving.serve_command(
        "127.0.0.1", bench_port, ["bench.bare_app:app"], quiet=True
    )

    limits = Settings(header_timeout_seconds=3, concurrency_limit=77, max_header_bytes=9000)
    words = serving.uvicorn_args(
        limits, host="h", port=1, app=["x:app", "--limit-concurrency", "9999"]
    )
    assert words[-8:] == [
        "--http", serving.PROTOCOL,
        "--timeout-keep-alive", "5",
        "--h11-max-incomplete-event-size", "9000",
        "--limit-concurrency", "77",
    ]  # fmt: skip
