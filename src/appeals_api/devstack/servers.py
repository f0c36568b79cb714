"""What the embedded PostgreSQL and Redis have in common: a real server run as a child process
of the Python process that starts it and stopped by it: by `stop()`, at interpreter exit, or
when that process gets SIGTERM. The servers themselves are in postgres.py and redis.py.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType
from typing import Self

from appeals_api.devstack.processes import (
    exit_on_sigterm,
    free_port,
    log_tail,
    process_cmdline,
    read_pid,
    stop_process,
)
from appeals_api.ops.envfile import pid_alive

OWNER_FILE = "devstack.owner"  # pid of the Python process that started the server


class EmbeddedServer:
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
        exit_on_sigterm()
        (self.data_dir / OWNER_FILE).write_text(f"{self._started_by}\n")
        deadline = time.monotonic() + self.start_timeout
        while not self._ready():
            code = self._proc.poll()
            if code is not None or time.monotonic() > deadline:
                self.stop()
                why = f"exited with code {code}" if code is not None else "did not become ready"
                raise RuntimeError(
                    f"{self.name} in {self.data_dir} {why}; {self.log_path}:\n"
                    f"{log_tail(self.log_path)}"
                )
            time.sleep(0.05)

    def stop(self) -> None:
        """Stop the server (idempotent); SIGKILL after `stop_timeout` seconds."""
        atexit.unregister(self.stop)
        if self._proc is None or os.getpid() != self._started_by:  # a fork's exit is no stop
            return
        stop_process(self._proc, self.stop_signal, self.stop_timeout)
        with contextlib.suppress(OSError):
            (self.data_dir / OWNER_FILE).unlink()

    def _reclaim(self) -> None:
        """Clear the way left by an earlier run that was killed: a pid file whose process is
        gone is removed; a server still running whose recorded starter is gone is stopped."""
        pid = read_pid(self._pid_file)
        if pid is None or not pid_alive(pid):
            self._pid_file.unlink(missing_ok=True)
            return
        running = process_cmdline(pid)
        if running is not None and not self._is_ours(running):  # the pid was reused
            self._pid_file.unlink(missing_ok=True)
            return
        owner = read_pid(self.data_dir / OWNER_FILE)
        if running is None or owner is None or pid_alive(owner):
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
        while pid_alive(pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        if pid_alive(pid):
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
