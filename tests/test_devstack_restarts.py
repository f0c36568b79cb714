"""Issue 19, item 9: under `make run` a worker that dies is started again (with backoff) while
the API, PostgreSQL and Redis stay up; before, its death stopped the whole stack."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import httpx
import psutil
import pytest

from appeals_api.auth.roles import Role
from appeals_api.devstack import free_port, keeper
from appeals_api.devstack.processes import spawn
from appeals_api.devstack.scratch import issue_keys
from appeals_api.ops import envfile
from tests.helpers import appeal_body, auth
from tests.helpers.devstack import devstack, healthy, wait_for

SLEEPER = [sys.executable, "-c", "import time; time.sleep(120)"]


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _kill(proc: subprocess.Popen[bytes]) -> None:
    proc.kill()
    proc.wait()


def test_issue19_9_a_child_that_dies_is_started_again_with_backoff(tmp_path: Path) -> None:
    """1 s, then doubling while it keeps dying young, at most 30 s; back to 1 s after it has
    stayed up a minute. The other children are left alone; each stop and start is said."""
    clock, said = _Clock(), []
    first, other = (spawn(SLEEPER, cwd=tmp_path, env={}) for _ in range(2))
    children = {"worker": first, "API": other}
    watch = keeper.Keeper(children, cwd=tmp_path, env={}, say=said.append, clock=clock)
    try:
        delays = []
        for _ in range(7):
            dying = children["worker"]
            _kill(dying)
            watch.check()
            assert "killed by SIGKILL" in said[-1] and f"pid {dying.pid}" in said[-1]
            delay = float(said[-1].rsplit("in ", 1)[1].removesuffix(" s"))
            clock.now += delay - 0.1
            watch.check()
            assert children["worker"] is dying  # not before its time
            clock.now += 0.1
            watch.check()
            assert children["worker"] is not dying and children["worker"].poll() is None
            assert said[-1] == f"started the worker again (pid {children['worker'].pid})"
            delays.append(delay)
        assert delays == [1, 2, 4, 8, 16, 30, 30]

        clock.now += keeper.STABLE_AFTER  # it stayed up: the next stop starts over
        _kill(children["worker"])
        watch.check()
        assert said[-1].endswith("starting it again in 1 s")
        assert children["API"] is other and other.poll() is None
    finally:
        for proc in [*children.values(), first, other]:
            if proc.poll() is None:
                _kill(proc)


def _worker_pid(devstack_pid: int, other_than: int | None = None) -> int | None:
    """The pid of devstack's (one) worker process, if it runs and is not `other_than`."""
    for proc in psutil.Process(devstack_pid).children():
        try:
            if "appeals_api.worker" in " ".join(proc.cmdline()) and proc.status() != "zombie":
                return proc.pid if proc.pid != other_than else None
        except psutil.Error:
            continue
    return None


def _beat_of(url: str, pid: int) -> datetime | None:
    async def read() -> datetime | None:
        conn = await asyncpg.connect(url)
        try:
            beat: datetime | None = await conn.fetchval(
                "SELECT max(beat_at) FROM worker_heartbeats WHERE pid = $1", pid
            )
            return beat
        finally:
            await conn.close()

    return asyncio.run(read())


class _Intake(threading.Thread):
    """Registers appeals one after another until stopped, keeping every status it got."""

    def __init__(self, port: int, token: str) -> None:
        super().__init__(daemon=True)
        self.port, self.token = port, token
        self.statuses: list[int | str] = []
        self.stopping = threading.Event()

    def run(self) -> None:
        with httpx.Client(base_url=f"http://127.0.0.1:{self.port}", timeout=10) as http:
            while not self.stopping.is_set():
                try:
                    r = http.post("/api/v1/appeals", json=appeal_body(), headers=auth(self.token))
                    self.statuses.append(r.status_code)
                except httpx.HTTPError as error:
                    self.statuses.append(type(error).__name__)
                time.sleep(0.05)


@pytest.mark.slow  # a whole stack
def test_issue19_9_make_run_starts_a_killed_worker_again_while_intake_answers(
    tmp_path: Path,
) -> None:
    """kill -9 the worker: a new one beats within seconds while every intake answers 201 and
    the stack stays up; then kill -9 the API: it is started again and answers."""
    data, port, log = tmp_path / "data", free_port(), tmp_path / "devstack.log"
    with devstack(data, port, log, APPEALS_WORKER_TICK_SECONDS="1") as stack:
        written = envfile.read(data / envfile.ENV_FILE)
        assert written is not None
        url = written["APPEALS_DATABASE_URL"]
        token = asyncio.run(issue_keys(url, {"restarts": Role.INTAKE}))["restarts"]
        first = wait_for("a worker", lambda: _worker_pid(stack.pid), log, stack)
        wait_for("its heartbeat", lambda: _beat_of(url, first), log, stack)

        intake = _Intake(port, token)
        intake.start()
        try:
            time.sleep(1)
            psutil.Process(first).send_signal(signal.SIGKILL)
            killed_at = datetime.now(UTC)
            second = wait_for("a new worker", lambda: _worker_pid(stack.pid, first), log, stack)

            def fresh() -> bool:
                beat = _beat_of(url, second)
                return beat is not None and beat > killed_at

            wait_for("the new worker's heartbeat", fresh, log, stack, timeout=60)
            ready = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=5).json()
            assert ready["checks"]["worker"]["status"] == "ok"
            time.sleep(0.5)
        finally:
            intake.stopping.set()
            intake.join(15)

        assert second != first and stack.poll() is None
        assert len(intake.statuses) >= 10 and set(intake.statuses) == {201}, intake.statuses
        text = log.read_text()
        assert f"the worker (pid {first}) stopped on its own (killed by SIGKILL)" in text
        assert f"started the worker again (pid {second})" in text

        # The API too: killed, it is started again on the same port.
        api = next(p for p in psutil.Process(stack.pid).children() if "uvicorn" in p.cmdline())
        api.send_signal(signal.SIGKILL)
        wait_for(
            "the API's restart", lambda: "started the API again" in log.read_text(), log, stack
        )
        wait_for("/healthz again", lambda: healthy(port), log, stack)

        stack.send_signal(signal.SIGTERM)
        assert stack.wait(timeout=30) == 0, log.read_text()
