"""`.data/env`: the URLs `make run` chose, for the CLI and for a shell (`. .data/env`).

Written atomically once the stack serves and removed when it stops; it names the run's process
(`APPEALS_DEVSTACK_PID`) so that a file left by a killed run is known stale, and the instance id
the run wrote into its database (`APPEALS_INSTANCE_ID`, see ops/instance.py) so that the CLI
never writes into another instance's database that now listens on the same port.
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Mapping
from pathlib import Path

ENV_FILE = "env"
KEYS = (
    "APPEALS_DATABASE_URL",
    "APPEALS_REDIS_URL",
    "APPEALS_API_URL",
    "APPEALS_INSTANCE_ID",
    "APPEALS_DEVSTACK_PID",
)


def data_dir(environ: Mapping[str, str], root: Path) -> Path:
    """Where `make run` keeps its data: $APPEALS_DEV_DATA_DIR, else <repo>/.data."""
    return Path(environ.get("APPEALS_DEV_DATA_DIR") or root / ".data").absolute()


def write(path: Path, values: dict[str, str]) -> None:
    """`KEY=value` lines, shell-quoted, replacing the file in one rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = ["# written by `make run`; removed when it stops. `. .data/env` exports nothing:"]
    lines.append("# use `set -a; . .data/env; set +a` to export these to a shell.")
    lines += [f"{key}={shlex.quote(value)}" for key, value in values.items()]
    staging = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    staging.write_text("\n".join(lines) + "\n", encoding="utf-8")
    os.replace(staging, path)


def read(path: Path) -> dict[str, str] | None:
    """The file's values, None when there is none."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    values: dict[str, str] = {}
    for line in text.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            words = shlex.split(value)
            values[key.strip()] = words[0] if words else ""
    return values


def remove(path: Path, *, pid: int) -> None:
    """Remove the file if it is the one process `pid` wrote (a newer run's stays)."""
    values = read(path)
    if values is not None and values.get("APPEALS_DEVSTACK_PID") == str(pid):
        path.unlink(missing_ok=True)


def pid_alive(pid: int) -> bool:
    """Whether `pid` (the `make run` that wrote the file, a server it started) still runs: a
    zombie nobody has reaped yet counts as gone."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie nobody has reaped yet is as good as dead
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rpartition(")")[2].split()[0] != "Z"
