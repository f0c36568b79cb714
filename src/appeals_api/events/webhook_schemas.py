"""Webhook subscriptions and deliveries at the edge (admin only)."""

from __future__ import annotations

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
from pydantic_core import PydanticCustomError

from appeals_api.events.kinds import EVENT_TYPES
from appeals_api.events.webhook_models import DeliveryStatus
from appeals_api.types import Instant, ShortLine


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


def _known_type(value: str) -> str:
    if value not in EVENT_TYPES:
        raise PydanticCustomError(
            "unknown_event_type",
            "no event has the type {given}; the types are: {known}",
            {"given": repr(value), "known": ", ".join(EVENT_TYPES)},
        )
    return value


def _long_enough(value: SecretStr) -> SecretStr:
    if len(value.get_secret_value()) < SECRET_MIN:
        raise PydanticCustomError(
            "secret_too_short", "the secret must be at least {n} characters", {"n": SECRET_MIN}
        )
    return value


SECRET_MIN = 16
EventType = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$"),
    AfterValidator(_known_type),
]
Secret = Annotated[
    SecretStr,
    Field(max_length=200, json_schema_extra={"minLength": SECRET_MIN}),
    AfterValidator(_long_enough),
]


class WebhookCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: HttpUrl
    secret: Secret = Field(
        description="Signs every body (X-Appeals-Signature). Write-only: never returned."
    )
    event_types: list[Annotated[EventType, Field(max_length=64)]] = Field(
        default_factory=list,
        max_length=50,
        description="Event types to receive; empty receives every type. Known types: "
        + ", ".join(f"`{t}`" for t in EVENT_TYPES)
        + " (another is refused with 422).",
    )
    description: ShortLine | None = None


class WebhookRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    url: str
    event_types: list[str]
    description: str | None
    position: int = Field(description="The last event id handed to this subscription.")
    created_at: Instant
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
    next_attempt_at: Instant | None
    last_attempt_at: Instant | None
    delivered_at: Instant | None
    last_status_code: int | None
    last_error: str | None
    created_at: Instant


class DeliveryPage(BaseModel):
    items: list[DeliveryRead]
    next_cursor: str | None
