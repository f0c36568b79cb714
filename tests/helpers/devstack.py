"""`make run` (python -m appeals_api.devstack run) as a real process tree, on ports of its own."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import httpx

from appeals_api.devstack import repo_root
from appeals_api.devstack.supervisor import DEV_PG_PORT, DEV_REDIS_PORT

T = TypeVar("T")


@contextlib.contextmanager
def held(ports: tuple[int, ...]) -> Iterator[None]:
    """Listen on the default ports where they are free, as another instance would."""
    with contextlib.ExitStack() as stack:
        for port in ports:
            sock = stack.enter_context(socket.socket())
            # As port_is_free judges: a port lingering in TIME_WAIT is free, so bind as it does.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue  # held already (another stack or test): just as good for this test
            sock.listen()
        yield


def wait_for(
    what: str,
    check: Callable[[], T],
    log: Path,
    proc: subprocess.Popen[bytes],
    timeout: float = 120,
) -> T:
    """`check()`'s first truthy answer, while devstack runs; the test fails with its log."""
    deadline = time.monotonic() + timeout
    while not (found := check()):
        assert proc.poll() is None, f"devstack exited early:\n{log.read_text()}"
        assert time.monotonic() < deadline, f"no {what}:\n{log.read_text()}"
        time.sleep(0.3)
    return found


def healthy(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200
    except httpx.TransportError:
        return False


def without_urls() -> dict[str, str]:
    drop = ("APPEALS_DATABASE_URL", "APPEALS_REDIS_URL")
    return {k: v for k, v in os.environ.items() if k not in drop}


@contextlib.contextmanager
def devstack(data: Path, port: int, log: Path, **env: str) -> Iterator[subprocess.Popen[bytes]]:
    """`make run` serving on `port` with its data in `data` and `env` added, while the default
    ports are taken; yielded once /healthz answers, killed on leaving if still running."""
    full = without_urls() | {"APPEALS_PORT": str(port), "APPEALS_DEV_DATA_DIR": str(data)} | env
    with held((DEV_PG_PORT, DEV_REDIS_PORT)), log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "appeals_api.devstack", "run"], cwd=repo_root(), env=full,
            stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            wait_for("/healthz", lambda: healthy(port), log, proc)
            yield proc
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
