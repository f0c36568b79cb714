"""`make fuzz`: schemathesis against the running app's own OpenAPI, as admin and as registrar.

Starts PostgreSQL and Redis (embedded unless APPEALS_DATABASE_URL / APPEALS_REDIS_URL are set:
then a fresh database on that server, dropped after), migrates, makes keys, serves the API with
uvicorn on a free port and runs `st run` once per role with a fixed seed and a bounded number
of examples. Fails on any server error or any response that breaks the schema.

    python fuzz/run.py [--examples 25] [--seed 20261122] [--roles admin,registrar]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import asyncpg
import httpx

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CHECKS = "not_a_server_error,response_schema_conformance"


def _with_db(url: str, name: str) -> str:
    return url.rsplit("/", 1)[0] + "/" + name


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _admin_sql(server_url: str, sql: str) -> None:
    conn = await asyncpg.connect(_with_db(server_url, "postgres"))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def _keys(database_url: str, roles: list[str]) -> dict[str, str]:
    from appeals_api.auth import service as auth_service
    from appeals_api.auth.roles import Role
    from appeals_api.config import Settings
    from appeals_api.db import make_engine, make_sessionmaker

    engine = make_engine(Settings(database_url=database_url))
    out = {}
    try:
        async with make_sessionmaker(engine)() as session, session.begin():
            for role in roles:
                _, token = await auth_service.create_key(
                    session, name=f"fuzz {role}", role=Role(role), unit_code=None, expires_at=None
                )
                out[role] = token
    finally:
        await engine.dispose()
    return out


def _wait_ready(base: str, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the API exited with {proc.returncode} before it was ready")
        try:
            if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise SystemExit("the API did not become ready")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=25)
    parser.add_argument("--seed", type=int, default=20261122)
    parser.add_argument("--roles", default="admin,registrar")
    args = parser.parse_args()
    roles = args.roles.split(",")

    sys.path.insert(0, str(REPO / "src"))
    from alembic import command
    from alembic.config import Config

    from appeals_api.devstack import EmbeddedPostgres, EmbeddedRedis

    tmp = Path(tempfile.mkdtemp(prefix="appeals-fuzz-"))
    started: list[EmbeddedPostgres | EmbeddedRedis] = []
    api: subprocess.Popen[bytes] | None = None
    server_url = os.environ.get("APPEALS_DATABASE_URL")
    redis_url = os.environ.get("APPEALS_REDIS_URL")
    name = f"appeals_fuzz_{uuid.uuid4().hex[:8]}"
    try:
        if not server_url:
            pg = EmbeddedPostgres(tmp / "pg", fast=True)
            pg.start()
            started.append(pg)
            server_url = pg.url
        if not redis_url:
            redis = EmbeddedRedis(tmp / "redis", persistent=False)
            redis.start()
            started.append(redis)
            redis_url = redis.url
        asyncio.run(_admin_sql(server_url, f'CREATE DATABASE "{name}"'))
        database_url = _with_db(server_url, name)
        config = Config(str(REPO / "alembic.ini"))
        config.attributes["database_url"] = database_url
        config.attributes["configure_logger"] = False
        command.upgrade(config, "head")
        keys = asyncio.run(_keys(database_url, roles))

        port = _free_port()
        env = {
            **os.environ,
            "APPEALS_DATABASE_URL": database_url,
            "APPEALS_REDIS_URL": redis_url,
        }
        api = subprocess.Popen(  # noqa: S603 (our own interpreter and arguments)
            [str(BIN / "python"), "-m", "uvicorn", "appeals_api.main:create_app", "--factory",
             "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
            env=env, cwd=REPO,
        )  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        _wait_ready(base, api)
        failed = []
        for role in roles:
            # schemathesis prints a pytest-like "=== N warnings in Ns ===" summary; it stays in
            # a file unless the run fails, so the log's test summary is the suite's own.
            done = subprocess.run(  # noqa: S603
                [str(BIN / "st"), "run", f"{base}/openapi.json",
                 "--header", f"Authorization: Bearer {keys[role]}",
                 "--checks", CHECKS, "--seed", str(args.seed),
                 "--max-examples", str(args.examples), "--workers", "1",
                 "--phases", "examples,coverage,fuzzing", "--request-timeout", "30",
                 "--no-color"],
                cwd=tmp, capture_output=True, text=True, check=False,
            )  # fmt: skip
            cases = next(
                (ln.strip() for ln in done.stdout.splitlines() if " generated, " in ln), "?"
            )
            print(f"fuzz as {role}: {args.examples} examples per operation, seed {args.seed}: "
                  f"{cases} (exit {done.returncode})")  # fmt: skip
            if done.returncode != 0:
                print(done.stdout, done.stderr, sep="\n")
                failed.append(role)
        if failed:
            print(f"fuzz: failures as {', '.join(failed)}", file=sys.stderr)
            return 1
        print("fuzz: no server errors, no response outside the schema")
        return 0
    finally:
        if api is not None:
            api.terminate()
            api.wait(timeout=30)
        if server_url and not started:
            asyncio.run(_admin_sql(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        for server in reversed(started):
            server.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
