"""Embedded PostgreSQL: the real server of the `pgserver` wheel (see servers.py for its life)."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
from pathlib import Path

from appeals_api.devstack.processes import HOST, accepts_connections, package_dir, quiet_import
from appeals_api.devstack.servers import EmbeddedServer

PG_SYSTEM_USER = "pgserver"  # the account pgserver itself uses when started as root
PG_SUPERUSER = "postgres"
# C.UTF-8 sorts like C but lower()/ILIKE know Cyrillic; plain C where it is missing.
INITDB_LOCALES = ("C.UTF-8", "C")


class EmbeddedPostgres(EmbeddedServer):
    """PostgreSQL 16 from the pgserver wheel, on TCP 127.0.0.1:port only, trust auth.

    `fast=True` turns durability off (fsync, synchronous_commit, full_page_writes): tests only.
    As root, initdb and postgres run as the system user "pgserver", as pgserver does.
    """

    name = "PostgreSQL"
    stop_signal = signal.SIGINT  # postgres "fast" shutdown
    # postmaster.pid's line 8 once connections are accepted (a hot standby says "standby").
    ready_states: tuple[str, ...] = ("ready",)

    def __init__(self, data_dir: Path, *, port: int | None = None, fast: bool = False) -> None:
        super().__init__(data_dir, port)
        self.fast = fast
        self.bin_dir = package_dir("pgserver") / "pginstall" / "bin"
        self._system_user: tuple[int, int] | None = None

    @property
    def url(self) -> str:
        return self.url_for(PG_SUPERUSER)

    def url_for(self, database: str) -> str:
        return f"postgresql://{PG_SUPERUSER}@{HOST}:{self.port}/{database}"

    @property
    def _pid_file(self) -> Path:
        return self.data_dir / "postmaster.pid"

    def _run_as(self) -> tuple[int, int] | None:
        return self._system_user

    def _prepare(self) -> None:
        if os.geteuid() == 0:
            self._system_user = self._prepare_system_user()
        if not (self.data_dir / "PG_VERSION").exists():
            self._make_data_dir()
        elif self._system_user is not None:
            self._grant_traversal(self.data_dir)

    def _prepare_system_user(self) -> tuple[int, int]:
        """PostgreSQL refuses to run as root: do what pgserver does for that case."""
        import stat

        with quiet_import():
            from pgserver.utils import (
                ensure_folder_permissions,
                ensure_prefix_permissions,
                ensure_user_exists,
            )

        entry = ensure_user_exists(PG_SYSTEM_USER)
        assert entry is not None
        read = stat.S_IRGRP | stat.S_IROTH
        ensure_prefix_permissions(self.bin_dir)
        ensure_folder_permissions(self.bin_dir, read | stat.S_IXGRP | stat.S_IXOTH)
        ensure_folder_permissions(self.bin_dir.parent / "lib", read)
        return entry.pw_uid, entry.pw_gid

    def _grant_traversal(self, path: Path) -> None:
        with quiet_import():
            from pgserver.utils import ensure_prefix_permissions

        ensure_prefix_permissions(path)

    def _make_data_dir(self) -> None:
        """A new data dir: initdb's (a replica copies its primary's instead)."""
        self._initdb()

    def _owned_dir(self, path: Path, mode: int = 0o777) -> None:
        """Make `path` for the server's binaries to write: owned by the system user as root."""
        path.mkdir(parents=True, mode=mode)
        if self._system_user is not None:
            os.chown(path, *self._system_user)
            self._grant_traversal(path)

    def _run_tool(self, args: list[str]) -> subprocess.CompletedProcess[str]:
        """One of the wheel's binaries (initdb, pg_basebackup), as the server runs: as the
        system user under root; its output captured."""
        return subprocess.run(  # noqa: S603 - fixed argv, no shell
            args,
            capture_output=True,
            text=True,
            cwd="/",
            timeout=300,
            check=False,
            user=self._system_user[0] if self._system_user else None,
            group=self._system_user[1] if self._system_user else None,
            extra_groups=[] if self._system_user else None,
        )

    def _initdb(self) -> None:
        # initdb into a sibling and rename, so an interrupted initdb never leaves a
        # half-made data dir behind that a later start would take for a real one.
        if self.data_dir.exists():
            if any(self.data_dir.iterdir()):
                raise RuntimeError(f"{self.data_dir} is neither empty nor a PostgreSQL data dir")
            self.data_dir.rmdir()
        staging = self.data_dir.with_name(f".{self.data_dir.name}.initdb")
        errors = []
        for locale in INITDB_LOCALES:
            shutil.rmtree(staging, ignore_errors=True)
            self._owned_dir(staging)
            result = self._run_initdb(staging, locale)
            if result.returncode == 0:
                staging.rename(self.data_dir)
                return
            errors.append(f"--locale={locale}: {result.stdout}{result.stderr}")
        shutil.rmtree(staging, ignore_errors=True)
        raise RuntimeError("initdb failed:\n" + "\n".join(errors))

    def _run_initdb(self, staging: Path, locale: str) -> subprocess.CompletedProcess[str]:
        args = [str(self.bin_dir / "initdb"), "-D", str(staging), "-U", PG_SUPERUSER]
        args += ["--auth=trust", "--encoding=UTF8", f"--locale={locale}"]
        if self.fast:
            args.append("--no-sync")
        return self._run_tool(args)

    def _command(self) -> list[str]:
        settings = {
            "listen_addresses": HOST,
            "port": str(self.port),
            "unix_socket_directories": "",
            "max_connections": "300",
        }
        if self.fast:
            settings |= {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"}
        args = [str(self.bin_dir / "postgres"), "-D", str(self.data_dir)]
        for key, value in settings.items():
            args += ["-c", f"{key}={value}"]
        return args

    def _is_ours(self, cmdline: str) -> bool:
        return "postgres" in cmdline and str(self.data_dir) in cmdline

    def _ready(self) -> bool:
        try:
            lines = self._pid_file.read_text().splitlines()
        except OSError:
            return False
        return (
            len(lines) >= 8
            and self._proc is not None
            and lines[0].strip() == str(self._proc.pid)
            and lines[7].strip() in self.ready_states
            and accepts_connections(self.port)
        )

    def psql(self, sql: str, *, database: str = PG_SUPERUSER) -> str:
        """Run SQL with the wheel's psql over TCP; returns unaligned tuples-only output."""
        env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
        args = [str(self.bin_dir / "psql"), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1"]
        args += ["-h", HOST, "-p", str(self.port), "-U", PG_SUPERUSER, "-d", database]
        result = subprocess.run(  # noqa: S603 - fixed argv, no shell
            [*args, "-c", sql], capture_output=True, text=True, env=env, timeout=60, check=False
        )
        if result.returncode != 0:
            raise RuntimeError(f"psql failed ({result.returncode}): {result.stderr.strip()}")
        return result.stdout

    def ensure_database(self, name: str) -> str:
        """Create database `name` if it is missing; returns its URL."""
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,62}", name):
            raise ValueError(f"not a plain database name: {name!r}")
        sql = f"SELECT 1 FROM pg_database WHERE datname = '{name}'"  # noqa: S608 - checked above
        found = self.psql(sql)
        if found.strip() != "1":
            self.psql(f'CREATE DATABASE "{name}"')
        return self.url_for(name)
