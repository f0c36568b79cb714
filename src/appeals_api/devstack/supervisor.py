"""`python -m appeals_api.devstack run`: the `make run` supervisor.

Starts the embedded servers under `<repo>/.data/` (or `$APPEALS_DEV_DATA_DIR`) for whichever of
APPEALS_DATABASE_URL / APPEALS_REDIS_URL is unset, applies the migrations, marks the database with
this instance's id and writes the URLs into `.data/env` (for the CLI), then runs the API
(APPEALS_WEB_CONCURRENCY processes) and APPEALS_WORKERS arq workers until SIGINT/SIGTERM, and
stops everything it started (and removes `.data/env`). A worker or the API that stops on its own
is started again with backoff (`keeper.py`); the rest stays up.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import FrameType
from typing import NoReturn

import asyncpg

from appeals_api import serving
from appeals_api.config import Settings
from appeals_api.devstack.keeper import Keeper
from appeals_api.devstack.postgres import EmbeddedPostgres
from appeals_api.devstack.processes import (
    HOST,
    accepts_connections,
    free_port,
    port_is_free,
    spawn,
    stop_process,
)
from appeals_api.devstack.redis import EmbeddedRedis
from appeals_api.devstack.servers import EmbeddedServer
from appeals_api.ops import envfile, instance

DEV_PG_PORT = 55432  # fixed ports keep the URLs stable across runs; used only when free
DEV_REDIS_PORT = 56379
DEV_DATABASE = "appeals"
# The worker as `make run` starts it; the benchmarks start it the same way.
WORKER_ARGS = ["-m", "appeals_api.worker"]


class _Stop(Exception):
    """Raised by the signal handler of `run` to unwind into the orderly shutdown."""


def repo_root() -> Path:
    here = Path(__file__).resolve().parents[3]
    return here if (here / "pyproject.toml").exists() else Path.cwd()


def _preferred_port(port: int) -> int:
    return port if port_is_free(port) else free_port()


def _say(message: str) -> None:
    print(f"devstack: {message}", file=sys.stderr, flush=True)


def _start_servers(env: dict[str, str], data: Path, servers: list[EmbeddedServer]) -> None:
    """Embedded servers for the URLs that `env` leaves unset; each goes into `servers` before it
    starts, so that the caller stops it even if it fails half way."""
    if not env.get("APPEALS_DATABASE_URL"):
        pg = EmbeddedPostgres(data / "pg", port=_preferred_port(DEV_PG_PORT))
        servers.append(pg)
        pg.start()
        env["APPEALS_DATABASE_URL"] = pg.ensure_database(DEV_DATABASE)
        _say(f"PostgreSQL {env['APPEALS_DATABASE_URL']} (log {pg.log_path})")
    if not env.get("APPEALS_REDIS_URL"):
        redis = EmbeddedRedis(data / "redis", port=_preferred_port(DEV_REDIS_PORT))
        servers.append(redis)
        redis.start()
        env["APPEALS_REDIS_URL"] = redis.url
        _say(f"Redis {redis.url} (log {redis.log_path})")


def _migrate(root: Path, env: dict[str, str]) -> int:
    _say("alembic upgrade head")
    migrated = subprocess.run(
        [sys.executable, "-m", "alembic", "upgrade", "head"], cwd=root, env=env, check=False
    )
    if migrated.returncode != 0:
        _say(f"migrations failed with code {migrated.returncode}")
    return migrated.returncode


def _write_env(path: Path, env: dict[str, str], api_port: int) -> None:
    """`.data/env` for the CLI: the URLs, and the id this run marks its database with."""
    try:
        instance_id = asyncio.run(instance.claim(env["APPEALS_DATABASE_URL"]))
    except (OSError, TimeoutError, asyncpg.PostgresError) as error:  # the URLs still help
        _say(f"could not mark the database with an instance id ({error}); the CLI cannot check it")
        instance_id = ""
    values = {key: env[key] for key in ("APPEALS_DATABASE_URL", "APPEALS_REDIS_URL")}
    values |= {"APPEALS_API_URL": f"http://{HOST}:{api_port}", "APPEALS_INSTANCE_ID": instance_id}
    envfile.write(path, values | {"APPEALS_DEVSTACK_PID": str(os.getpid())})
    _say(f"wrote {path} (the CLI reads it; `set -a; . {path}; set +a` for a shell)")


def _start_children(
    root: Path, env: dict[str, str], api_port: int, settings: Settings
) -> dict[str, subprocess.Popen[bytes]]:
    """The API (uvicorn's own --workers when more than one process) and the arq workers."""
    # Served as every launcher serves it (`serving.py`: logs, processes, connection limits).
    children = {"API": spawn(serving.serve_command(HOST, api_port), cwd=root, env=env)}
    for number in range(1, settings.workers + 1):
        name = "worker" if settings.workers == 1 else f"worker {number}"
        children[name] = spawn([sys.executable, *WORKER_ARGS], cwd=root, env=env)
    return children


def _watch(keeper: Keeper, api_port: int) -> NoReturn:
    """Until a signal: children that stop on their own are started again."""
    announced = False
    while True:
        keeper.check()
        if not announced and accepts_connections(api_port):
            announced = True
            workers = len(keeper.children) - 1
            _say(f"appeals-api at http://{HOST}:{api_port} with {workers} worker(s); Ctrl-C stops")
        time.sleep(0.2)


def run() -> int:
    """Embedded servers where the URLs are unset, migrations, then API + worker until a signal."""
    stopping = False

    def on_signal(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        if not stopping:  # the first one unwinds; later ones must not break the shutdown
            stopping = True
            raise _Stop(signum)

    root = repo_root()
    data = envfile.data_dir(os.environ, root)
    api_port = int(os.environ.get("APPEALS_PORT") or "8000")
    settings = Settings()
    env_path = envfile.data_dir(os.environ, root) / envfile.ENV_FILE
    if not port_is_free(api_port):
        _say(f"port {api_port} is in use: stop what listens there or set APPEALS_PORT")
        return 1
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, on_signal)
    env = dict(os.environ)
    servers: list[EmbeddedServer] = []
    children: dict[str, subprocess.Popen[bytes]] = {}
    try:
        _start_servers(env, data, servers)
        if code := _migrate(root, env):
            return code
        _write_env(env_path, env, api_port)
        children = _start_children(root, env, api_port, settings)
        _watch(Keeper(children, cwd=root, env=env, say=_say), api_port)
    except _Stop as stop:
        _say(f"got {signal.Signals(stop.args[0]).name}, stopping")
        return 0
    except RuntimeError as error:  # a server that would not start: its log is in the message
        _say(str(error))
        return 1
    finally:
        stopping = True
        envfile.remove(env_path, pid=os.getpid())
        for proc in children.values():
            stop_process(proc, signal.SIGTERM, 15)
        for server in reversed(servers):
            server.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m appeals_api.devstack", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("run", help="embedded servers + migrations + API + worker")
    args = parser.parse_args(argv)
    assert args.command == "run"
    return run()
