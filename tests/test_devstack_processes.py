"""Issue 18: `make run` (devstack) with several API processes and workers, on ports other than
the default ones, and the CLI finding that stack through `.data/env`."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import httpx
import psutil
import pytest

from appeals_api.devstack import free_port, repo_root
from appeals_api.devstack.supervisor import DEV_PG_PORT, DEV_REDIS_PORT
from appeals_api.ops import envfile
from tests.helpers import appeal_body, auth

pytestmark = pytest.mark.slow  # starts a whole stack

API_PROCESSES, WORKERS = 2, 2


@contextlib.contextmanager
def _held(ports: tuple[int, ...]) -> Iterator[None]:
    """Listen on the default ports where they are free, as another instance would."""
    with contextlib.ExitStack() as stack:
        for port in ports:
            sock = stack.enter_context(socket.socket())
            # As port_is_free judges: a port lingering in TIME_WAIT is free, so bind as it does.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue  # held already (another stack or test): just as good for this test
            sock.listen()
        yield


def _wait(what: str, check, log: Path, proc: subprocess.Popen[bytes], timeout: float = 120):
    deadline = time.monotonic() + timeout
    while not (found := check()):
        assert proc.poll() is None, f"devstack exited early:\n{log.read_text()}"
        assert time.monotonic() < deadline, f"no {what}:\n{log.read_text()}"
        time.sleep(0.3)
    return found


def _healthy(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200
    except httpx.TransportError:
        return False


def _workers_seen(url: str) -> set[int]:
    async def read() -> set[int]:
        conn = await asyncpg.connect(url)
        try:
            return {r["pid"] for r in await conn.fetch("SELECT pid FROM worker_heartbeats")}
        finally:
            await conn.close()

    return asyncio.run(read())


def _api_children(devstack: int, port: int) -> list[psutil.Process]:
    """The uvicorn processes that accept on `port`, below the master devstack started."""
    out = []
    for proc in psutil.Process(devstack).children(recursive=True):
        with contextlib.suppress(psutil.Error):
            if any(
                c.status == psutil.CONN_LISTEN and c.laddr.port == port
                for c in proc.net_connections(kind="tcp")
            ) and "multiprocessing" in " ".join(proc.cmdline()):
                out.append(proc)
    return out


def _cli(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "appeals_api.cli", *args],
        env=_without_urls() | {"APPEALS_DEV_DATA_DIR": str(data)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _without_urls() -> dict[str, str]:
    drop = ("APPEALS_DATABASE_URL", "APPEALS_REDIS_URL")
    return {k: v for k, v in os.environ.items() if k not in drop}


@contextlib.contextmanager
def _stack(data: Path, port: int, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """`make run` with API_PROCESSES and WORKERS while the default ports are taken."""
    env = _without_urls() | {"APPEALS_PORT": str(port), "APPEALS_DEV_DATA_DIR": str(data)}
    env |= {"APPEALS_WEB_CONCURRENCY": str(API_PROCESSES), "APPEALS_WORKERS": str(WORKERS)}
    env |= {"APPEALS_WORKER_TICK_SECONDS": "1"}
    with _held((DEV_PG_PORT, DEV_REDIS_PORT)), log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "appeals_api.devstack", "run"], cwd=repo_root(), env=env,
            stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            _wait("/healthz", lambda: _healthy(port), log, proc)
            yield proc
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()


def _intake_through(port: int, token: str) -> None:
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as http:
        for _ in range(API_PROCESSES * 3):
            r = http.post("/api/v1/appeals", json=appeal_body(), headers=auth(token))
            assert r.status_code == 201, r.text
        assert http.get("/readyz").json()["readiness"] == "ok"


def test_make_run_starts_n_api_processes_and_m_workers_and_the_cli_finds_it(
    tmp_path: Path,
) -> None:
    data, port, log = tmp_path / "data", free_port(), tmp_path / "devstack.log"
    with _stack(data, port, log) as proc:
        written = envfile.read(data / envfile.ENV_FILE)
        assert written is not None
        assert f":{DEV_PG_PORT}/" not in written["APPEALS_DATABASE_URL"]
        assert f":{DEV_REDIS_PORT}/" not in written["APPEALS_REDIS_URL"]
        assert written["APPEALS_API_URL"] == f"http://127.0.0.1:{port}"
        assert written["APPEALS_INSTANCE_ID"] and written["APPEALS_DEVSTACK_PID"] == str(proc.pid)

        url = written["APPEALS_DATABASE_URL"]
        _wait("workers", lambda: len(_workers_seen(url)) >= WORKERS, log, proc)
        pids = _workers_seen(url)
        assert len(pids) == WORKERS and all(psutil.pid_exists(p) for p in pids)
        assert len(_api_children(proc.pid, port)) == API_PROCESSES

        made = _cli(data, "keys", "create", "--name", "via env file", "--role", "intake")
        assert made.returncode == 0, made.stderr
        assert str(data / envfile.ENV_FILE) in made.stderr
        _intake_through(port, made.stdout.strip().splitlines()[-1])

        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0, log.read_text()
        assert not (data / envfile.ENV_FILE).exists()
        gone = _cli(data, "keys", "list")
        assert gone.returncode == 2 and "make run" in gone.stderr
