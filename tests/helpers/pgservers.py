"""Servers around the tests' PostgreSQL (issue 18): a PgBouncer in transaction mode in front of
a database, and a streaming replica made with `pg_basebackup -R` from the embedded server's
binaries. Both run as child processes of the test process, as the embedded servers do."""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import subprocess
import time
from pathlib import Path
from typing import IO
from urllib.parse import urlsplit

from appeals_api.devstack import EmbeddedPostgres
from appeals_api.devstack.postgres import PG_SUPERUSER
from appeals_api.devstack.processes import (
    HOST,
    accepts_connections,
    free_port,
    log_tail,
    stop_process,
)

# The Debian package's binary (`apt-get install -y pgbouncer`, as .ci/run does).
PGBOUNCER_PATHS = ("/usr/sbin/pgbouncer", "/usr/bin/pgbouncer")
# The account that runs the servers when the tests run as root (PgBouncer refuses root too).
SYSTEM_USER = "pgserver"


def pgbouncer_binary() -> str | None:
    return shutil.which("pgbouncer") or next(
        (p for p in PGBOUNCER_PATHS if os.access(p, os.X_OK)), None
    )


def _system_user() -> tuple[int, int] | None:
    if os.geteuid() != 0:
        return None
    entry = pwd.getpwnam(SYSTEM_USER)  # made by the embedded PostgreSQL started as root
    return entry.pw_uid, entry.pw_gid


class PgBouncer:
    """PgBouncer in transaction mode on a port of its own, in front of the database of
    `database_url` (trust auth, as the embedded server's): `url` is the app's database URL."""

    def __init__(self, directory: Path, database_url: str, *, pool_size: int = 3) -> None:
        binary = pgbouncer_binary()
        if binary is None:
            raise RuntimeError("pgbouncer not found: apt-get install -y pgbouncer (.ci/run does)")
        self.binary = binary
        self.directory = directory
        self.target = urlsplit(database_url)
        self.database = self.target.path.lstrip("/")
        self.port = free_port()
        self.pool_size = pool_size
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"postgresql://{PG_SUPERUSER}@{HOST}:{self.port}/{self.database}"

    @property
    def log_path(self) -> Path:
        return self.directory / "pgbouncer.log"

    def _config(self) -> str:
        # jit=off as the README says to do behind PgBouncer (the app cannot send it).
        target = (
            f"host={self.target.hostname} port={self.target.port} dbname={self.database} "
            f"user={PG_SUPERUSER} connect_query='SET jit = off'"
        )
        return "\n".join(
            [
                "[databases]",
                f"{self.database} = {target}",
                "[pgbouncer]",
                f"listen_addr = {HOST}",
                f"listen_port = {self.port}",
                "unix_socket_dir =",
                "auth_type = any",
                "pool_mode = transaction",
                f"default_pool_size = {self.pool_size}",
                "max_client_conn = 500",
                f"logfile = {self.log_path}",
                "",
            ]
        )

    def start(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        self.directory.chmod(0o755)  # its own account reads the config and writes the log
        ini = self.directory / "pgbouncer.ini"
        ini.write_text(self._config())
        run_as = _system_user()
        if run_as is not None:
            for path in (self.directory, ini):
                os.chown(path, *run_as)
        with (self.directory / "stderr.log").open("wb") as errors:
            self._proc = self._spawn(ini, run_as, errors)
        deadline = time.monotonic() + 30
        while not accepts_connections(self.port):
            if self._proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(
                    f"pgbouncer did not start:\n{log_tail(self.directory / 'stderr.log')}\n"
                    f"{log_tail(self.log_path)}"
                )
            time.sleep(0.05)

    def _spawn(
        self, ini: Path, run_as: tuple[int, int] | None, errors: IO[bytes]
    ) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [self.binary, str(ini)],
            stdin=subprocess.DEVNULL,
            stdout=errors,
            stderr=subprocess.STDOUT,
            cwd="/",
            start_new_session=True,
            user=run_as[0] if run_as else None,
            group=run_as[1] if run_as else None,
            extra_groups=[] if run_as else None,
        )

    def stop(self) -> None:
        if self._proc is not None:
            stop_process(self._proc, signal.SIGINT, 10)


class StreamingReplica(EmbeddedPostgres):
    """A hot standby of `primary`: its data dir copied by `pg_basebackup -R` (which writes the
    `primary_conninfo` and `standby.signal`), WAL streamed from then on. The primary's
    defaults suffice: `wal_level=replica`, `max_wal_senders=10`, and initdb's trust entries
    for replication from 127.0.0.1. Otherwise run as the embedded server is (devstack)."""

    name = "PostgreSQL replica"
    ready_states = ("ready", "standby")  # a hot standby accepts read-only connections

    def __init__(self, data_dir: Path, primary: EmbeddedPostgres) -> None:
        super().__init__(data_dir, fast=True)
        self.primary = primary

    def _make_data_dir(self) -> None:
        self._owned_dir(self.data_dir, mode=0o700)
        args = [str(self.bin_dir / "pg_basebackup"), "-h", HOST, "-p", str(self.primary.port)]
        args += ["-U", PG_SUPERUSER, "-D", str(self.data_dir), "-R", "-X", "stream", "-c", "fast"]
        result = self._run_tool([*args, "--no-sync"])
        if result.returncode != 0:
            raise RuntimeError(f"pg_basebackup failed: {result.stdout}{result.stderr}")


__all__ = ["PgBouncer", "StreamingReplica", "free_port", "pgbouncer_binary"]
