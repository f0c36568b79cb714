from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    DateTime,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from appeals_api import outbound
from appeals_api.db import Base


class DeliveryStatus(StrEnum):
    PENDING = "pending"  # not yet acknowledged: due at `next_attempt_at`
    DELIVERED = "delivered"  # a 2xx came back
    # Out of attempts: waits for a redelivery, and until then holds back the later events of
    # its appeal for this subscription (per-appeal order is kept, never skipped).
    DEAD = "dead"


class WebhookSubscription(Base):
    """A receiver of the event feed. The secret signs the bodies; it is never returned."""

    __tablename__ = "webhook_subscriptions"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    url: Mapped[str] = mapped_column(String(2000))
    secret: Mapped[str] = mapped_column(String(200))
    # Empty: every event type.
    event_types: Mapped[list[str]] = mapped_column(ARRAY(String(64)), server_default="{}")
    description: Mapped[str | None] = mapped_column(String(200))
    # The feed position up to which deliveries exist for this subscription (the fan-out cursor);
    # set at creation to the head of the feed, so a subscription receives what comes after it.
    position: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(200))
    # Deleted: no more fan-out or sending, 404 to the API; the worker purges its deliveries,
    # then the row (migration 0026).
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class WebhookDelivery(outbound.Attempts, Base):
    """One event for one subscription: made once (the unique pair), sent until acknowledged."""

    __tablename__ = "webhook_deliveries"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    subscription_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_subscriptions.id", ondelete="CASCADE")
    )
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    feed_id: Mapped[int] = mapped_column(BigInteger)
    appeal_id: Mapped[uuid.UUID | None] = mapped_column()
    event_type: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        UniqueConstraint("subscription_id", "event_id"),
        # What the sender claims: due deliveries only.
        Index(
            "ix_webhook_deliveries_due",
            "next_attempt_at",
            postgresql_where=text("status = 'pending'"),
        ),
        # What holds an appeal's later events back: its earlier ones not yet acknowledged.
        Index(
            "ix_webhook_deliveries_unacknowledged",
            "subscription_id",
            "appeal_id",
            "feed_id",
            postgresql_where=text("status <> 'delivered'"),
        ),
        Index("ix_webhook_deliveries_subscription", "subscription_id", "id"),
    )
