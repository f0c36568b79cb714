"""DIRECTUM's stand-in and the app wired to it (R-4.2): a real local HTTP receiver, the app with
APPEALS_DIRECTUM_URL pointing at it, and the worker's DIRECTUM job over the app's database."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import select

from appeals_api import outbound
from appeals_api.appeals.models import Assignment
from appeals_api.auth.roles import Role
from appeals_api.config import Settings
from appeals_api.directum.tasks import deliver_directum
from appeals_api.events.models import Event
from appeals_api.main import create_app
from appeals_api.worker_context import WorkerContext
from tests.helpers.lifecycle import Walk, make_staff, start
from tests.helpers.webhooks import Hit, Receiver

INSTRUCTION = "Inspect the tailings dam dust screens and answer the applicant."


def stand_in() -> Receiver:
    """DIRECTUM's stand-in: its answers are counted per dispatch (the Idempotency-Key)."""
    return Receiver(key=lambda hit: hit.header("Idempotency-Key"))


@dataclass
class Directum:
    app: FastAPI
    client: httpx.AsyncClient
    settings: Settings
    http: httpx.AsyncClient
    receiver: Receiver
    clock: Any

    async def deliver(self) -> dict[str, int]:
        context = WorkerContext(
            settings=self.settings,
            clock=self.clock,
            sessionmaker=self.app.state.sessionmaker,
            http=self.http,
        )
        return await deliver_directum(context.into({}))

    def hits_for(self, appeal_id: str) -> list[Hit]:
        return [h for h in self.receiver.snapshot() if h.json()["appeal_id"] == appeal_id]


@contextlib.asynccontextmanager
async def directum_app(
    configured: Settings, clock: Any, receiver: Receiver
) -> AsyncIterator[Directum]:
    """The app on `configured` settings, with the worker's DIRECTUM job over its database."""
    app = create_app(configured, clock)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with (
            httpx.AsyncClient(transport=transport, base_url="http://test") as client,
            outbound.make_client() as http,
        ):
            yield Directum(app, client, configured, http, receiver, clock)


def configured(settings: Settings, receiver: Receiver, **more: Any) -> Settings:
    return settings.model_copy(
        update={"directum_url": receiver.url, "directum_backoff_base_seconds": 10, **more}
    )


async def dispatched(client, keys, make_key, clock, *units: str) -> Walk:
    staff = await make_staff(client, keys, make_key)
    walk = await start(client, staff, clock, summary="Dust from the tailings reaches the street.")
    await walk.act(Role.MANAGER, "resolve", {"units": list(units), "instruction": INSTRUCTION})
    await walk.act(Role.REGISTRAR, "dispatch")
    return walk


async def channels(app: FastAPI, appeal_id: str) -> list[str | None]:
    async with app.state.sessionmaker() as session:
        rows = await session.scalars(
            select(Assignment.dispatch_channel)
            .where(Assignment.appeal_id == uuid.UUID(appeal_id))
            .order_by(Assignment.position)
        )
        return list(rows)


async def events_of(app: FastAPI, appeal_id: str) -> list[tuple[str, dict[str, Any]]]:
    async with app.state.sessionmaker() as session:
        rows = await session.execute(
            select(Event.type, Event.data)
            .where(Event.appeal_id == uuid.UUID(appeal_id))
            .order_by(Event.id)
        )
        return [(t, d) for t, d in rows]
