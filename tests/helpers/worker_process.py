"""A real worker process (`python -m appeals_api.worker`) as a child of a test, and the stack
it works beside: an app on the same database, with an admin's and a registrar's keys."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import httpx
from sqlalchemy import select

from appeals_api.auth import service as auth_service
from appeals_api.auth.roles import Role
from appeals_api.clock import system_clock
from appeals_api.config import Settings
from appeals_api.devstack import EmbeddedRedis
from appeals_api.events.models import Event
from appeals_api.main import create_app
from tests.helpers.common import REPO, appeal_body, auth
from tests.helpers.webhooks import SECRET, until

# Short ticks and backoff, so that a test takes seconds.
WORKER_ENV = {
    "APPEALS_WORKER_TICK_SECONDS": "1",
    "APPEALS_WEBHOOK_BACKOFF_BASE_SECONDS": "0.2",
    "APPEALS_WEBHOOK_BACKOFF_MAX_SECONDS": "1",
    "APPEALS_WEBHOOK_BATCH": "5",
    "APPEALS_WEBHOOK_ALLOWED_NETWORKS": '["127.0.0.0/8"]',  # the receivers are on loopback
    "APPEALS_WORKER_REDIS_OUTAGE_SECONDS": "120",
    "APPEALS_DB_POOL_SIZE": "5",
}


class WorkerProcess:
    """`python -m appeals_api.worker` as a child of this test."""

    def __init__(self, database_url: str, redis_url: str, log: Path) -> None:
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("APPEALS_")}
        self.env |= WORKER_ENV | {
            "APPEALS_DATABASE_URL": database_url,
            "APPEALS_REDIS_URL": redis_url,
        }
        self.log_path = log
        self.proc: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    def start(self) -> WorkerProcess:
        self._log = self.log_path.open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "appeals_api.worker"],
            cwd=REPO,
            env=self.env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        return self

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs, open transactions die with the connections."""
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)
        self._close_log()

    def stop(self) -> int | None:
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self._close_log()
        return self.proc.returncode

    def _close_log(self) -> None:
        if self._log is not None:
            self._log.close()
            self._log = None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]


@dataclass
class Stack:
    client: httpx.AsyncClient
    admin: dict[str, str]
    registrar: dict[str, str]
    maker: Any
    database_url: str
    redis: EmbeddedRedis
    scratch: Path

    def worker(self) -> WorkerProcess:
        log = self.scratch / f"worker-{uuid.uuid4().hex[:6]}.log"
        return WorkerProcess(self.database_url, self.redis.url, log)

    async def register(self) -> str:
        r = await self.client.post("/api/v1/appeals", json=appeal_body(), headers=self.registrar)
        assert r.status_code == 201, r.text
        return str(r.json()["id"])

    async def subscribe(self, url: str) -> int:
        r = await self.client.post(
            "/api/v1/webhooks",
            json={"url": url, "secret": SECRET, "event_types": ["appeal.registered"]},
            headers=self.admin,
        )
        assert r.status_code == 201, r.text
        return int(r.json()["id"])

    async def registered_feed_ids(self, appeal_ids: list[str]) -> list[int | None]:
        async with self.maker() as session:
            rows = await session.scalars(
                select(Event.feed_id).where(
                    Event.type == "appeal.registered",
                    Event.appeal_id.in_([uuid.UUID(a) for a in appeal_ids]),
                )
            )
            return list(rows)

    async def health(self) -> dict[str, Any]:
        r = await self.client.get("/api/v1/worker/health", headers=self.admin)
        assert r.status_code == 200, r.text
        out: dict[str, Any] = r.json()
        return out


@asynccontextmanager
async def open_stack(
    database: str, redis_server: EmbeddedRedis, scratch: Path
) -> AsyncIterator[Stack]:
    # The receivers listen on loopback, which a webhook may not reach by default (issue 19).
    settings = Settings(
        database_url=database,
        redis_url=redis_server.url,
        webhook_allowed_networks=["127.0.0.0/8"],
    )
    app = create_app(settings, system_clock)
    async with app.router.lifespan_context(app):
        maker = app.state.sessionmaker
        tokens = {}
        for role in (Role.ADMIN, Role.REGISTRAR):
            async with maker() as session, session.begin():
                _, tokens[role] = await auth_service.create_key(
                    session, name=f"worker test {role}", role=role, unit_code=None, expires_at=None
                )
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield Stack(
                client=client,
                admin=auth(tokens[Role.ADMIN]),
                registrar=auth(tokens[Role.REGISTRAR]),
                maker=maker,
                database_url=database,
                redis=redis_server,
                scratch=scratch,
            )


async def wait_for_feed_ids(
    stack: Stack, appeal_ids: list[str], *, timeout: float = 30
) -> list[int]:
    """The feed ids the worker gave these appeals' events (it sequences the outbox)."""
    ids: list[int | None] = []

    async def sequenced() -> bool:
        ids[:] = await stack.registered_feed_ids(appeal_ids)
        return len(ids) == len(appeal_ids) and None not in ids

    await until(sequenced, timeout=timeout, what="the worker sequencing the outbox")
    return [i for i in ids if i is not None]


async def stale(stack: Stack, *, seconds: float) -> bool:
    health = await stack.health()
    return health["age_seconds"] is not None and health["age_seconds"] > seconds


async def fresh(stack: Stack) -> bool:
    health = await stack.health()
    return bool(health["status"] == "ok" and health["age_seconds"] < 2)
