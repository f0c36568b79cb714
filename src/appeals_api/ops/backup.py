"""`appeals-api backup` and `appeals-api restore` (issue 18): pg_dump's custom format.

Documents' bytes live in PostgreSQL (`document_chunks`, documents/storage.py), so the one dump
carries appeals, history, numbering counters, keys and documents alike. The tools are those of
the embedded `pgserver` installation (the server `make run` runs), else the ones on PATH.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

import asyncpg

from appeals_api.ops import repository


class BackupError(Exception):
    """pg_dump or pg_restore failed, or the target database refuses a restore."""


def tool(name: str) -> str:
    """pg_dump / pg_restore: pgserver's (same major version as `make run`'s server), else PATH."""
    import importlib.util

    spec = importlib.util.find_spec("pgserver")
    if spec is not None and spec.submodule_search_locations:
        found = Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin" / name
        if found.exists():
            return str(found)
    on_path = shutil.which(name)
    if on_path is None:
        raise BackupError(f"{name} not found: install PostgreSQL's client tools or pgserver")
    return on_path


def _without_password(url: str) -> tuple[str, str | None]:
    """The URL for the tools' command line (seen by `ps`) and its password, given apart."""
    parts = urlsplit(url)
    if parts.password is None:
        return url, None
    host = parts.netloc.rpartition("@")[2]
    user = f"{parts.username}@" if parts.username else ""
    return urlunsplit(parts._replace(netloc=user + host)), unquote(parts.password)


def _run(args: list[str], url: str, *, last: tuple[str, ...] = ()) -> None:
    # The URL names the server; PG* variables of the caller's shell must not redirect the tools.
    env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
    shown, password = _without_password(url)
    if password is not None:
        env["PGPASSWORD"] = password
    done = subprocess.run(  # noqa: S603 - fixed argv, no shell
        [*args, f"--dbname={shown}", *last], capture_output=True, text=True, env=env, check=False
    )
    if done.returncode != 0:
        raise BackupError(f"{Path(args[0]).name} failed ({done.returncode}): {done.stderr.strip()}")


def backup(url: str, out: Path) -> int:
    """Dump the database at `url` into `out` (custom format, written beside and renamed, so a
    failed dump never leaves a file that looks whole); its size in bytes."""
    staging = out.with_name(f".{out.name}.partial")
    try:
        _run([tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges",
              f"--file={staging}"], url)  # fmt: skip
        os.replace(staging, out)
    finally:
        staging.unlink(missing_ok=True)
    return out.stat().st_size


async def relation_count(url: str) -> int:
    conn = await asyncpg.connect(url, timeout=10)
    try:
        return await repository.relation_count(conn)
    finally:
        await conn.close()


async def restore(url: str, dump: Path, *, force: bool) -> None:
    """Restore `dump` into the database at `url`: an empty one, or any with `force` (its
    objects that the dump also holds are dropped first)."""
    if not await asyncio.to_thread(dump.is_file):
        raise BackupError(f"{dump} is not a file")
    if not force and (count := await relation_count(url)):
        raise BackupError(
            f"the database is not empty ({count} tables, sequences or views): restore into a "
            "new database (createdb), or pass --force to replace what the dump holds"
        )
    args = [tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error"]
    args += ["--single-transaction"]
    if force:
        args += ["--clean", "--if-exists"]
    await asyncio.to_thread(lambda: _run(args, url, last=(str(dump),)))
