"""A throwaway stack for the benchmarks and the fuzzer: PostgreSQL and Redis, fresh migrated
databases on them, API keys, and the API (or another ASGI app) and the worker as child
processes. Leaving the `with` block stops and removes everything it started.

The servers are those APPEALS_DATABASE_URL / APPEALS_REDIS_URL name (a fresh database there is
dropped on leaving), else embedded ones in a temporary directory.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import Self

import asyncpg
import httpx
from alembic import command
from alembic.config import Config

import appeals_api
from appeals_api import serving
from appeals_api.auth import service as auth_service
from appeals_api.auth.roles import Role
from appeals_api.config import Settings
from appeals_api.db import make_engine, make_sessionmaker
from appeals_api.devstack.postgres import EmbeddedPostgres
from appeals_api.devstack.processes import (
    HOST,
    accepts_connections,
    free_port,
    spawn,
    stop_process,
)
from appeals_api.devstack.redis import EmbeddedRedis
from appeals_api.devstack.supervisor import WORKER_ARGS, repo_root

READY_TIMEOUT = 60.0
STOP_TIMEOUT = 30.0
# The sources this process runs: children get them first on their path, whichever checkout the
# virtualenv's editable install points at.
SOURCES = Path(appeals_api.__file__).resolve().parents[1]


def with_database(server_url: str, name: str) -> str:
    """The URL of database `name` on the server of `server_url`."""
    return server_url.rsplit("/", 1)[0] + "/" + name


def admin_sql(server_url: str, sql: str) -> None:
    """Run `sql` on the server's `postgres` database (outside any event loop)."""

    async def execute() -> None:
        conn = await asyncpg.connect(with_database(server_url, "postgres"))
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(execute())


def migrate(database_url: str) -> None:
    """alembic upgrade head on `database_url` (outside any event loop: env.py runs its own)."""
    config = Config(str(repo_root() / "alembic.ini"))
    config.attributes["database_url"] = database_url
    config.attributes["configure_logger"] = False
    command.upgrade(config, "head")


async def issue_keys(database_url: str, keys: Mapping[str, Role]) -> dict[str, str]:
    """An API key per name in `keys`, with its role; returns each name's token."""
    engine = make_engine(Settings(database_url=database_url))
    tokens: dict[str, str] = {}
    try:
        async with make_sessionmaker(engine)() as session, session.begin():
            for name, role in keys.items():
                _, tokens[name] = await auth_service.create_key(
                    session, name=name, role=role, unit_code=None, expires_at=None
                )
    finally:
        await engine.dispose()
    return tokens


def _answers_ok(port: int, path: str) -> bool:
    try:
        return httpx.get(f"http://{HOST}:{port}{path}", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def _wait_ready(proc: subprocess.Popen[bytes], name: str, port: int, path: str | None) -> None:
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{name} exited with code {proc.returncode} before it was ready")
        if accepts_connections(port) and (path is None or _answers_ok(port, path)):
            return
        time.sleep(0.2)
    raise RuntimeError(f"{name} did not become ready in {READY_TIMEOUT:g} s")


class ScratchStack:
    """`with ScratchStack("appeals-bench-") as stack:` servers for one run; `durable` gives the
    embedded ones production's settings (PostgreSQL fsync, synchronous_commit and
    full_page_writes on; Redis with its append-only file) instead of the tests' fast ones."""

    tmp: Path
    server_url: str  # the PostgreSQL server, its `postgres` database
    redis_url: str
    postgres: EmbeddedPostgres | None  # None: the server of APPEALS_DATABASE_URL
    redis: EmbeddedRedis | None

    def __init__(self, prefix: str, *, durable: bool = False) -> None:
        self.prefix = prefix
        self.durable = durable
        self.repo = repo_root()
        self._exit = contextlib.ExitStack()

    def __enter__(self) -> Self:
        # Undone in reverse on leaving: children, then databases, then servers, then the files.
        self.tmp = Path(tempfile.mkdtemp(prefix=self.prefix))
        self._exit.callback(shutil.rmtree, self.tmp, ignore_errors=True)
        try:
            self._start_servers()
        except BaseException:
            self._exit.close()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._exit.close()

    def _start_servers(self) -> None:
        self.server_url = os.environ.get("APPEALS_DATABASE_URL") or ""
        self.redis_url = os.environ.get("APPEALS_REDIS_URL") or ""
        self.postgres = self.redis = None
        if not self.server_url:
            self.postgres = EmbeddedPostgres(self.tmp / "pg", fast=not self.durable)
            self._exit.callback(self.postgres.stop)
            self.postgres.start()
            self.server_url = self.postgres.url
        if not self.redis_url:
            self.redis = EmbeddedRedis(self.tmp / "redis", persistent=self.durable)
            self._exit.callback(self.redis.stop)
            self.redis.start()
            self.redis_url = self.redis.url

    def database(self, name: str) -> str:
        """A new database `name`, migrated to head; returns its URL."""
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,62}", name):
            raise ValueError(f"not a plain database name: {name!r}")
        admin_sql(self.server_url, f'CREATE DATABASE "{name}"')
        if self.postgres is None:  # an embedded server goes whole, with its data directory
            drop = f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'
            self._exit.callback(admin_sql, self.server_url, drop)
        url = with_database(self.server_url, name)
        migrate(url)
        return url

    def child_env(self, database_url: str, **extra: str) -> dict[str, str]:
        """Our environment for a child serving `database_url`, plus `extra`."""
        path = [str(SOURCES), str(self.repo)]  # the repo: bench.bare_app
        if os.environ.get("PYTHONPATH"):
            path.append(os.environ["PYTHONPATH"])
        return {
            **os.environ,
            "APPEALS_DATABASE_URL": database_url,
            "APPEALS_REDIS_URL": self.redis_url,
            "PYTHONPATH": os.pathsep.join(path),
            **extra,
        }

    def serve(
        self, app: list[str], env: Mapping[str, str], *, ready_path: str | None = None
    ) -> tuple[subprocess.Popen[bytes], int]:
        """uvicorn serving `app` (its import string and options) on a free port as every launcher
        serves (`serving.py`; warnings only), once it accepts connections and, if `ready_path`
        is given, answers 200 there; returns it and the port."""
        port = free_port()
        proc = self._child(serving.serve_command(HOST, port, app, quiet=True), env)
        _wait_ready(proc, app[0], port, ready_path)
        return proc, port

    def worker(self, env: Mapping[str, str], *, log: Path | None = None) -> subprocess.Popen[bytes]:
        """The arq worker, started as `make run` starts it; its output to `log` if given."""
        return self._child([sys.executable, *WORKER_ARGS], env, log=log)

    def _child(
        self, args: list[str], env: Mapping[str, str], *, log: Path | None = None
    ) -> subprocess.Popen[bytes]:
        proc = spawn(args, cwd=self.repo, env=dict(env), log=log)
        self._exit.callback(stop_process, proc, signal.SIGTERM, STOP_TIMEOUT)
        return proc
