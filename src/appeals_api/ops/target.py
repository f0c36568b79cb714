"""Which database the CLI works on (issue 18): APPEALS_DATABASE_URL from the environment, else
the one `make run` wrote into `.data/env`, and never a default port's.

When the URL comes from `.data/env`, the database it reaches must carry the instance id that
file names (ops/instance.py): a port that `make run` once had may now be another instance's.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from appeals_api.config import Settings
from appeals_api.ops import envfile, instance


class Refused(Exception):
    """The CLI will not work on this database; the message says why and what to do."""


@dataclass(frozen=True)
class Target:
    database_url: str
    redis_url: str | None
    source: str
    instance_id: str | None = None

    def settings(self) -> Settings:
        given = {"database_url": self.database_url}
        if self.redis_url:
            given["redis_url"] = self.redis_url
        return Settings(**given)  # type: ignore[arg-type]  # the rest from the environment

    def plain_url(self) -> str:
        return self.settings().plain_database_url


def repo_root() -> Path:
    here = Path(__file__).resolve().parents[3]
    return here if (here / "pyproject.toml").exists() else Path.cwd()


def resolve(environ: Mapping[str, str], root: Path) -> Target:
    """The environment's URL if set, else `.data/env`'s; else refused, never a default port."""
    if url := environ.get("APPEALS_DATABASE_URL"):
        return Target(url, environ.get("APPEALS_REDIS_URL"), "the environment")
    path = envfile.data_dir(environ, root) / envfile.ENV_FILE
    values = envfile.read(path)
    if not values or not values.get("APPEALS_DATABASE_URL"):
        raise Refused(
            f"no database: APPEALS_DATABASE_URL is not set and {path} does not exist. "
            "Start the stack with `make run` (it writes that file) or set APPEALS_DATABASE_URL"
        )
    pid = values.get("APPEALS_DEVSTACK_PID", "")
    if pid.isdigit() and not envfile.pid_alive(int(pid)):
        raise Refused(
            f"{path} is stale: the `make run` that wrote it (pid {pid}) has stopped. "
            "Start `make run` again or set APPEALS_DATABASE_URL"
        )
    return Target(
        values["APPEALS_DATABASE_URL"],
        environ.get("APPEALS_REDIS_URL") or values.get("APPEALS_REDIS_URL"),
        str(path),
        values.get("APPEALS_INSTANCE_ID") or None,
    )


async def check(target: Target) -> None:
    """Refuse a database that is not the instance `.data/env` names."""
    if target.instance_id is None:
        return
    try:
        found = await instance.instance_of(target.plain_url())
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        raise Refused(
            f"cannot reach {shown(target.database_url)} named by {target.source}: {exc}. "
            "Is `make run` still running?"
        ) from exc
    if found != target.instance_id:
        raise Refused(
            f"{shown(target.database_url)} is not the database {target.source} names: it is "
            f"marked as instance {found or '(none)'}, not {target.instance_id} (another instance "
            "listens on that port now). Nothing was written; restart `make run` or set "
            "APPEALS_DATABASE_URL"
        )


def shown(url: str) -> str:
    """The URL without its password, for messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{parts.username}:***@{host}"))


async def settings_for_cli(*, writes: bool) -> Settings:
    """The CLI's settings: the database resolved and checked; for a command that writes, its
    source said on stderr."""
    target = resolve(os.environ, repo_root())
    await check(target)
    if writes:
        print(
            f"appeals-api: database {shown(target.database_url)} (from {target.source})",
            file=sys.stderr,
            flush=True,
        )
    return target.settings()
