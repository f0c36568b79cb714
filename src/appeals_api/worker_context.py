"""What the worker's jobs work with, typed: made once at the worker's start-up, kept in arq's
job context under one key."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from appeals_api.clock import Clock
from appeals_api.config import Settings

CONTEXT_KEY = "appeals"


@dataclass(frozen=True)
class WorkerIdentity:
    """Which worker process this is (its heartbeat names it)."""

    worker_id: str
    hostname: str
    pid: int
    started_at: datetime


@dataclass(frozen=True)
class WorkerContext:
    settings: Settings
    clock: Clock
    sessionmaker: async_sessionmaker[AsyncSession]
    http: httpx.AsyncClient  # one client per worker: pooled connections
    engine: AsyncEngine | None = None  # owned (and disposed of) by the worker, if it made it
    identity: WorkerIdentity | None = None

    def into(self, ctx: dict[str, Any]) -> dict[str, Any]:
        ctx[CONTEXT_KEY] = self
        return ctx


def context_of(ctx: dict[str, Any]) -> WorkerContext:
    """The jobs' typed context from arq's dict."""
    context = ctx[CONTEXT_KEY]
    assert isinstance(context, WorkerContext)
    return context
