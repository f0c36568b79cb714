"""The embedded servers and `python -m appeals_api.devstack run`, as real processes."""

import importlib.util
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import asyncpg
import httpx
import psutil
import pytest
import redis.asyncio as aioredis

from appeals_api.devstack import EmbeddedPostgres, EmbeddedRedis, free_port, repo_root

pytestmark = pytest.mark.slow  # starts processes or servers of its own

SERVER_NAMES = {"postgres", "redis-server"}


def _alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _server_processes(data_dir: Path) -> list[str]:
    """postgres / redis-server processes working in data_dir: the postmaster names it on its
    command line; backends and redis-server (which retitles itself) have it as their cwd."""
    found = []
    for proc in psutil.process_iter(["pid", "name", "cmdline", "cwd", "status"]):
        info = proc.info
        if info["name"] not in SERVER_NAMES or info["status"] == psutil.STATUS_ZOMBIE:
            continue
        cmdline = " ".join(info["cmdline"] or [])
        if str(data_dir) in cmdline or str(data_dir) in (info["cwd"] or ""):
            found.append(f"{info['pid']} {cmdline}")
    return found


def _wait_gone(data_dir: Path, timeout: float = 10) -> list[str]:
    deadline = time.monotonic() + timeout
    while (left := _server_processes(data_dir)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left


async def _select_one(url: str) -> int:
    conn = await asyncpg.connect(url)
    try:
        return int(await conn.fetchval("SELECT 1"))
    finally:
        await conn.close()


async def test_embedded_postgres_serves_and_leaves_no_process(tmp_path: Path) -> None:
    data = tmp_path / "pg"
    with EmbeddedPostgres(data, fast=True) as pg:
        pid = pg.pid
        assert pid is not None and _alive(pid)
        assert pg.url == f"postgresql://postgres@127.0.0.1:{pg.port}/postgres"
        assert await _select_one(pg.url) == 1
        assert pg.psql("SHOW max_connections").strip() == "300"
        assert pg.psql("SHOW fsync").strip() == "off"
        assert pg.psql("SHOW unix_socket_directories").strip() == ""

        url = pg.ensure_database("devstack_probe")
        assert url == f"postgresql://postgres@127.0.0.1:{pg.port}/devstack_probe"
        assert pg.ensure_database("devstack_probe") == url  # a second call finds it
        assert await _select_one(url) == 1
        with pytest.raises(ValueError):
            pg.ensure_database('x"; DROP DATABASE postgres; --')
        with pytest.raises(RuntimeError, match="already running"):
            EmbeddedPostgres(data, fast=True).start()
        assert await _select_one(pg.url) == 1

    assert not _alive(pid)
    assert _wait_gone(data) == []
    pg.stop()  # idempotent


async def test_embedded_postgres_starts_over_a_killed_run(tmp_path: Path) -> None:
    data = tmp_path / "pg"
    first = EmbeddedPostgres(data, fast=True)
    first.start()
    first.ensure_database("kept")
    assert first.pid is not None
    os.kill(first.pid, signal.SIGKILL)  # leaves a postmaster.pid whose process is gone
    first.stop()
    assert _wait_gone(data) == []
    assert (data / "postmaster.pid").exists()

    with EmbeddedPostgres(data, fast=True) as second:
        assert await _select_one(second.url_for("kept")) == 1
    assert _wait_gone(data) == []


async def test_embedded_postgres_reclaims_a_server_whose_starter_was_killed(
    tmp_path: Path,
) -> None:
    data = tmp_path / "pg"
    starter = subprocess.run(
        [
            sys.executable,
            "-c",
            "import os, sys; from appeals_api.devstack import EmbeddedPostgres\n"
            "pg = EmbeddedPostgres(sys.argv[1], fast=True); pg.start()\n"
            "print(pg.pid, flush=True); os._exit(0)  # no cleanup, as if killed",
            str(data),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    orphan = int(starter.stdout.split()[0])
    assert _alive(orphan)

    with EmbeddedPostgres(data, fast=True) as pg:
        assert not _alive(orphan)
        assert await _select_one(pg.url) == 1
    assert _wait_gone(data) == []


def test_servers_stop_when_their_starter_gets_sigterm(tmp_path: Path) -> None:
    starter = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path\n"
            "from appeals_api.devstack import EmbeddedPostgres, EmbeddedRedis\n"
            "pg = EmbeddedPostgres(Path(sys.argv[1]) / 'pg', fast=True); pg.start()\n"
            "redis = EmbeddedRedis(Path(sys.argv[1]) / 'redis'); redis.start()\n"
            "print(pg.pid, redis.pid, flush=True); time.sleep(120)",
            str(tmp_path),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert starter.stdout is not None
        pids = [int(pid) for pid in starter.stdout.readline().split()]
        assert len(pids) == 2 and all(_alive(pid) for pid in pids)
        starter.send_signal(signal.SIGTERM)
        assert starter.wait(timeout=30) == 128 + signal.SIGTERM
        assert not any(_alive(pid) for pid in pids)
        assert _wait_gone(tmp_path) == []
    finally:
        if starter.poll() is None:
            starter.kill()
            starter.wait()
        if starter.stdout is not None:
            starter.stdout.close()


async def test_embedded_redis_serves_persists_and_leaves_no_process(tmp_path: Path) -> None:
    data = tmp_path / "redis"
    with EmbeddedRedis(data) as server:
        pid = server.pid
        assert pid is not None
        assert server.url == f"redis://127.0.0.1:{server.port}/0"
        client = aioredis.from_url(server.url)
        try:
            assert await client.ping()
            await client.set("devstack:probe", "kept")
        finally:
            await client.aclose()
    assert not _alive(pid)
    assert _wait_gone(data) == []

    with EmbeddedRedis(data) as server:  # appendonly: the key survives a restart
        client = aioredis.from_url(server.url)
        try:
            assert await client.get("devstack:probe") == b"kept"
        finally:
            await client.aclose()
    assert _wait_gone(data) == []


async def test_embedded_redis_without_persistence_writes_nothing(tmp_path: Path) -> None:
    data = tmp_path / "redis"
    with EmbeddedRedis(data, persistent=False) as server:
        client = aioredis.from_url(server.url)
        try:
            await client.set("k", "v")
        finally:
            await client.aclose()
    assert not list(data.glob("*.aof")) and not list(data.glob("*.rdb"))


def _app_missing() -> str | None:
    for module in ("appeals_api.main", "appeals_api.worker"):
        if importlib.util.find_spec(module) is None:
            return f"{module} is not written yet"
    if not (repo_root() / "alembic.ini").exists():
        return "alembic.ini is not written yet"
    return None


@pytest.mark.skipif(_app_missing() is not None, reason=str(_app_missing()))
def test_devstack_run_serves_the_api_and_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    data = tmp_path / "data"
    port = free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"APPEALS_DATABASE_URL", "APPEALS_REDIS_URL"}
    }
    env |= {"APPEALS_PORT": str(port), "APPEALS_DEV_DATA_DIR": str(data)}
    log_path = tmp_path / "devstack.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "appeals_api.devstack", "run"],
            cwd=repo_root(),
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        status = None
        with httpx.Client(timeout=2) as http:
            while status != 200:
                assert proc.poll() is None, f"devstack exited early:\n{log_path.read_text()}"
                assert time.monotonic() < deadline, f"no 200 from /healthz:\n{log_path.read_text()}"
                try:
                    status = http.get(f"http://127.0.0.1:{port}/healthz").status_code
                except httpx.TransportError:
                    time.sleep(0.3)
        assert _server_processes(data), "embedded servers should run under the data dir"

        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0, log_path.read_text()
        assert _wait_gone(data, timeout=5) == []
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
