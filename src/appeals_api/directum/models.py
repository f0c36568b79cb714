from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    Text,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from appeals_api import outbound
from appeals_api.db import Base


class CallbackKind(StrEnum):
    ACCEPTED = "accepted"  # the unit accepted the appeal for consideration
    RESPONSE_REGISTERED = "response_registered"  # the unit's response letter got its number


class CallbackOutcome(StrEnum):
    APPLIED = "applied"  # the acceptance was recorded on the appeal
    RECORDED = "recorded"  # the response registration was recorded on the appeal
    ALREADY_RECORDED = "already_recorded"  # the unit had accepted already (e.g. over the API)
    NOT_APPLIED = "not_applied"  # kept, but the appeal's state no longer takes it (see detail)


class DirectumDispatch(outbound.Attempts, Base):
    """An appeal sent to DIRECTUM for one resolution (R-4.2): retried until acknowledged.

    Made by the worker from the `appeal.dispatched` event, once per resolution. The payload is
    what was dispatched (the deadline the event carries, the resolution it names) and holds no
    applicant data: number, units, instruction, summary, deadline.
    """

    __tablename__ = "directum_dispatches"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    appeal_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("appeals.id", ondelete="CASCADE"), index=True
    )
    resolution_id: Mapped[int] = mapped_column(
        ForeignKey("appeal_resolutions.id", ondelete="CASCADE"), unique=True
    )
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        Index(
            "ix_directum_dispatches_due",
            "next_attempt_at",
            postgresql_where=text("status <> 'delivered'"),
        ),
    )


class DirectumFeedCursor(Base):
    """One row: the feed position up to which `appeal.dispatched` events have been looked at.

    Like a webhook subscription's `position`: the worker moves it in the transaction that makes
    the dispatch rows of the events it passes, so each event is looked at once.
    """

    __tablename__ = "directum_feed_cursor"

    id: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    position: Mapped[int] = mapped_column(BigInteger)

    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)


class DirectumCallback(Base):
    """A callback from DIRECTUM, kept by its id: a retry answers the same and changes nothing."""

    __tablename__ = "directum_callbacks"

    callback_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    appeal_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("appeals.id", ondelete="CASCADE"), index=True
    )
    unit_code: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32))
    registration_number: Mapped[str | None] = mapped_column(String(100))
    registration_date: Mapped[date | None] = mapped_column(Date)
    occurred_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    outcome: Mapped[str] = mapped_column(String(32))
    detail: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    received_by: Mapped[str] = mapped_column(String(200))
