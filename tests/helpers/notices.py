"""The applicant's end of R-8.4: a real SMTP server (aiosmtpd) on 127.0.0.1, a real HTTP SMS
gateway (the webhook receiver), and the app wired to both with the worker's notices job."""

from __future__ import annotations

import contextlib
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import httpx
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from fastapi import FastAPI
from pydantic import SecretStr

from appeals_api import outbound
from appeals_api.config import Settings
from appeals_api.main import create_app
from appeals_api.notices.tasks import deliver_notices
from appeals_api.worker_context import WorkerContext
from tests.helpers.webhooks import Receiver


def free_port() -> int:
    """A port the OS gives for port 0, free again once the socket closes (the SMTP server's,
    known before it starts, so a test can start it after a failed attempt)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Mailbox:
    """An SMTP server on 127.0.0.1:`port` keeping every message it accepts."""

    port: int = field(default_factory=free_port)
    messages: list[EmailMessage] = field(default_factory=list)
    _controller: Controller | None = None

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        self.messages.append(message_from_bytes(raw, policy=policy.default))  # type: ignore[arg-type]
        return "250 OK"

    def start(self) -> Mailbox:
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]


def body_of(mail: EmailMessage) -> str:
    part = mail.get_body(("plain",))
    assert part is not None
    return str(part.get_content())  # type: ignore[attr-defined]


@dataclass
class Notifying:
    app: FastAPI
    client: httpx.AsyncClient
    settings: Settings
    http: httpx.AsyncClient
    mailbox: Mailbox
    gateway: Receiver
    clock: Any

    async def run(self) -> dict[str, int]:
        """One run of the worker's notices job."""
        context = WorkerContext(
            settings=self.settings,
            clock=self.clock,
            sessionmaker=self.app.state.sessionmaker,
            http=self.http,
        )
        return await deliver_notices(context.into({}))

    def sms_to(self, phone: str) -> list[dict[str, Any]]:
        return [h.json() for h in self.gateway.snapshot() if h.json()["to"] == phone]


def gateway() -> Receiver:
    """The SMS gateway's stand-in: its answers are counted per notice (the Idempotency-Key)."""
    return Receiver(key=lambda hit: hit.header("Idempotency-Key"))


def configured(settings: Settings, mailbox: Mailbox, sms: Receiver, **more: Any) -> Settings:
    return settings.model_copy(
        update={
            "smtp_url": SecretStr(f"smtp://127.0.0.1:{mailbox.port}"),
            "mail_from": "murojaat@almalyk.test",
            "sms_url": sms.url,
            "notice_backoff_base_seconds": 10,
            "notice_timeout_seconds": 5,
            **more,
        }
    )


@contextlib.asynccontextmanager
async def notifying_app(
    settings: Settings, clock: Any, mailbox: Mailbox, sms: Receiver
) -> AsyncIterator[Notifying]:
    app = create_app(settings, clock)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with (
            httpx.AsyncClient(transport=transport, base_url="http://test") as client,
            outbound.make_client() as http,
        ):
            yield Notifying(app, client, settings, http, mailbox, sms, clock)
