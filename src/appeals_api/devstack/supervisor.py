"""`python -m appeals_api.devstack run`: the `make run` supervisor.

Starts the embedded servers under `<repo>/.data/` (or `$APPEALS_DEV_DATA_DIR`) for whichever of
APPEALS_DATABASE_URL / APPEALS_REDIS_URL is unset, applies the migrations, then runs the API and
the arq worker until SIGINT/SIGTERM, and stops everything it started.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import FrameType

from appeals_api.devstack.servers import (
    DEV_DATABASE,
    DEV_PG_PORT,
    DEV_REDIS_PORT,
    HOST,
    EmbeddedPostgres,
    EmbeddedRedis,
    _accepts_connections,
    _EmbeddedServer,
    free_port,
    port_is_free,
    stop_process,
)
from appeals_api.ops import jsonlog


class _Stop(Exception):
    """Raised by the signal handler of `run` to unwind into the orderly shutdown."""


def repo_root() -> Path:
    here = Path(__file__).resolve().parents[3]
    return here if (here / "pyproject.toml").exists() else Path.cwd()


def _preferred_port(port: int) -> int:
    return port if port_is_free(port) else free_port()


def _say(message: str) -> None:
    print(f"devstack: {message}", file=sys.stderr, flush=True)


def _spawn(args: list[str], *, cwd: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    # Own session: the terminal's Ctrl-C reaches only us, and we stop children in order.
    return subprocess.Popen(  # noqa: S603 - fixed argv, no shell
        args, cwd=cwd, env=env, stdin=subprocess.DEVNULL, start_new_session=True
    )


def run() -> int:
    """Embedded servers where the URLs are unset, migrations, then API + worker until a signal."""
    stopping = False

    def on_signal(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        if not stopping:  # the first one unwinds; later ones must not break the shutdown
            stopping = True
            raise _Stop(signum)

    root = repo_root()
    data = Path(os.environ.get("APPEALS_DEV_DATA_DIR") or root / ".data").absolute()
    api_port = int(os.environ.get("APPEALS_PORT") or "8000")
    if not port_is_free(api_port):
        _say(f"port {api_port} is in use: stop what listens there or set APPEALS_PORT")
        return 1
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, on_signal)
    env = dict(os.environ)
    servers: list[_EmbeddedServer] = []
    children: dict[str, subprocess.Popen[bytes]] = {}
    py = sys.executable
    try:
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

        _say("alembic upgrade head")
        migrated = subprocess.run(  # noqa: S603 - fixed argv, no shell
            [py, "-m", "alembic", "upgrade", "head"], cwd=root, env=env, check=False
        )
        if migrated.returncode != 0:
            _say(f"migrations failed with code {migrated.returncode}")
            return migrated.returncode

        api = ["uvicorn", "appeals_api.main:create_app", "--factory", "--host", HOST]
        # JSON lines with request ids; the API's own access line replaces uvicorn's.
        api += ["--log-config", str(jsonlog.LOG_CONFIG), "--no-access-log"]
        children["API"] = _spawn([py, "-m", *api, "--port", str(api_port)], cwd=root, env=env)
        children["worker"] = _spawn(
            [py, "-m", "arq", "appeals_api.worker.WorkerSettings"], cwd=root, env=env
        )
        announced = False
        while True:
            for name, proc in children.items():
                code = proc.poll()
                if code is not None:
                    how = f"killed by {signal.Signals(-code).name}" if code < 0 else f"code {code}"
                    _say(f"the {name} stopped on its own ({how}); stopping everything")
                    return 128 - code if code < 0 else code or 1
            if not announced and _accepts_connections(api_port):
                announced = True
                _say(f"appeals-api at http://{HOST}:{api_port} with its worker; Ctrl-C stops")
            time.sleep(0.2)
    except _Stop as stop:
        _say(f"got {signal.Signals(stop.args[0]).name}, stopping")
        return 0
    except RuntimeError as error:  # a server that would not start: its log is in the message
        _say(str(error))
        return 1
    finally:
        stopping = True
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
