from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from appeals_api.types import Instant


class WorkerRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    worker_id: str
    hostname: str
    pid: int
    started_at: Instant
    beat_at: Instant
    age_seconds: float


class Backlog(BaseModel):
    unsequenced_events: int = Field(description="Committed events not yet given a feed id.")
    webhook_pending: int = Field(description="Webhook deliveries not yet acknowledged.")
    webhook_dead: int = Field(description="Dead-lettered webhook deliveries (redeliver them).")
    directum_pending: int = Field(description="Dispatches not yet attempted.")
    directum_failed: int = Field(description="Dispatches whose last attempt failed (retried).")


class WorkerHealth(BaseModel):
    """`ok`: a worker beat within `stale_after_seconds`; `stale`: none did; `absent`: none ever."""

    status: Literal["ok", "stale", "absent"]
    last_beat_at: Instant | None
    age_seconds: float | None
    stale_after_seconds: int
    workers: list[WorkerRead]
    backlog: Backlog
