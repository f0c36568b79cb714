"""`make run` keeps its children running (issue 19, item 9).

A worker or the API that stops on its own is started again, with the same command, after a
backoff: 1 s, doubling up to 30 s while it keeps dying young, back to 1 s once it has stayed up
a minute. Each stop and each start is logged. PostgreSQL, Redis and the other children stay up
meanwhile: a crashed worker no longer takes the stack (and intake) down with it; nothing is lost
either way, the work waits in PostgreSQL. Only a signal to devstack stops everything.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass
from pathlib import Path

from appeals_api.devstack.processes import spawn

FIRST_DELAY = 1.0
MAX_DELAY = 30.0
STABLE_AFTER = 60.0  # up this long, a child's next stop starts the backoff over

Spawn = Callable[[list[str]], subprocess.Popen[bytes]]


def how_it_stopped(code: int) -> str:
    return f"killed by {signal.Signals(-code).name}" if code < 0 else f"code {code}"


@dataclass
class _Restarts:
    started: float
    delay: float = FIRST_DELAY
    due: float | None = None  # when a child that stopped starts again


class Keeper:
    """Watches `children` (name -> process; replaced in place when restarted, so whoever stops
    them at the end stops the current ones) and starts each one that stopped again."""

    def __init__(
        self,
        children: MutableMapping[str, subprocess.Popen[bytes]],
        *,
        cwd: Path,
        env: dict[str, str],
        say: Callable[[str], None],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.children = children
        self.say = say
        self.clock = clock
        self.spawn: Spawn = lambda args: spawn(args, cwd=cwd, env=env)
        self._restarts = {name: _Restarts(started=clock()) for name in children}

    def check(self) -> None:
        """One look at every child: note those that stopped, start those whose time has come."""
        now = self.clock()
        for name, proc in list(self.children.items()):
            restarts = self._restarts[name]
            if restarts.due is None and (code := proc.poll()) is not None:
                self._stopped(name, proc, code, now)
            elif restarts.due is not None and now >= restarts.due:
                self._start_again(name, proc, now)

    def _stopped(self, name: str, proc: subprocess.Popen[bytes], code: int, now: float) -> None:
        restarts = self._restarts[name]
        uptime = now - restarts.started
        if uptime >= STABLE_AFTER:
            restarts.delay = FIRST_DELAY
        restarts.due = now + restarts.delay
        self.say(
            f"the {name} (pid {proc.pid}) stopped on its own ({how_it_stopped(code)}) after "
            f"{uptime:.0f} s; starting it again in {restarts.delay:g} s"
        )
        restarts.delay = min(restarts.delay * 2, MAX_DELAY)
        # What it forked (uvicorn's worker processes) would hold the port: its group goes too.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)

    def _start_again(self, name: str, proc: subprocess.Popen[bytes], now: float) -> None:
        args = proc.args
        assert isinstance(args, list)  # spawn's argv, never a shell string
        self.children[name] = new = self.spawn([str(arg) for arg in args])
        self._restarts[name].started, self._restarts[name].due = now, None
        self.say(f"started the {name} again (pid {new.pid})")
