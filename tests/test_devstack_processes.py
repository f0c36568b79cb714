"""Issue 18: `make run` (devstack) with several API processes and workers, on ports other than
the default ones, and the CLI finding that stack through `.data/env`."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import subprocess
import sys
from pathlib import Path

import asyncpg
import httpx
import psutil
import pytest

from appeals_api.devstack import free_port
from appeals_api.devstack.supervisor import DEV_PG_PORT, DEV_REDIS_PORT
from appeals_api.ops import envfile
from tests.helpers import appeal_body, auth
from tests.helpers.devstack import devstack, wait_for, without_urls

pytestmark = pytest.mark.slow  # starts a whole stack

API_PROCESSES, WORKERS = 2, 2


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
        env=without_urls() | {"APPEALS_DEV_DATA_DIR": str(data)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


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
    extra = {"APPEALS_WEB_CONCURRENCY": str(API_PROCESSES), "APPEALS_WORKERS": str(WORKERS)}
    with devstack(data, port, log, APPEALS_WORKER_TICK_SECONDS="1", **extra) as proc:
        written = envfile.read(data / envfile.ENV_FILE)
        assert written is not None
        assert f":{DEV_PG_PORT}/" not in written["APPEALS_DATABASE_URL"]
        assert f":{DEV_REDIS_PORT}/" not in written["APPEALS_REDIS_URL"]
        assert written["APPEALS_API_URL"] == f"http://127.0.0.1:{port}"
        assert written["APPEALS_INSTANCE_ID"] and written["APPEALS_DEVSTACK_PID"] == str(proc.pid)

        url = written["APPEALS_DATABASE_URL"]
        wait_for("workers", lambda: len(_workers_seen(url)) >= WORKERS, log, proc)
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
