"""Webhook subscriptions and deliveries at the edge (admin only)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from urllib.parse import urlsplit
from uuid import UUID

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    StringConstraints,
)

from appeals_api.events.webhook_models import DeliveryStatus
from appeals_api.types import ShortLine


def _http_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("must be an http:// or https:// URL with a host")
    if any(c.isspace() for c in value):
        raise ValueError("must not contain whitespace")
    return value


HttpUrl = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=2000), AfterValidator(_http_url)
]
EventType = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$")]
Secret = Annotated[SecretStr, Field(min_length=16, max_length=200)]


class WebhookCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: HttpUrl
    secret: Secret = Field(
        description="Signs every body (X-Appeals-Signature). Write-only: never returned."
    )
    event_types: list[Annotated[EventType, Field(max_length=64)]] = Field(
        default_factory=list,
        max_length=50,
        description="Event types to receive; empty receives every type.",
    )
    description: ShortLine | None = None


class WebhookRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    url: str
    event_types: list[str]
    description: str | None
    position: int = Field(description="The last event id handed to this subscription.")
    created_at: datetime
    created_by: str


class WebhookPage(BaseModel):
    items: list[WebhookRead]
    next_cursor: str | None


class DeliveryRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    subscription_id: int
    # The feed position, as the receiver sees it (X-Appeals-Event-Id), not the outbox row id.
    event_id: int = Field(
        validation_alias="feed_id", description="The event's id in the feed (X-Appeals-Event-Id)."
    )
    event_type: str
    appeal_id: UUID | None
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime | None
    last_attempt_at: datetime | None
    delivered_at: datetime | None
    last_status_code: int | None
    last_error: str | None
    created_at: datetime


class DeliveryPage(BaseModel):
    items: list[DeliveryRead]
    next_cursor: str | None
