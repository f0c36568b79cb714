"""The notices domain's tables: one row per notice and channel, the feed cursor, and the
tracking codes waiting for their receipt notice."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from appeals_api import outbound
from appeals_api.db import Base


class NoticeChannel(StrEnum):
    EMAIL = "email"
    SMS = "sms"


class NoticeStatus(StrEnum):
    PENDING = "pending"  # not tried yet, or tried and to be tried again at `next_attempt_at`
    SENT = "sent"  # the SMTP server or the SMS gateway accepted it
    FAILED = "failed"  # given up after the last attempt (kept, never dropped)
    SKIPPED = "skipped"  # the channel is off (no APPEALS_SMTP_URL / APPEALS_SMS_URL)


class Notice(outbound.Attempts, Base):
    """A notice to the applicant on one channel (R-8.4), made once per event and channel.

    `subject` and `message` are the rendered words, kept only until the notice is sent, given
    up or skipped: a receipt's message carries the tracking code, which is otherwise stored
    only hashed (R-8.1)."""

    __tablename__ = "notices"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    appeal_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("appeals.id", ondelete="CASCADE"), index=True
    )
    event_id: Mapped[int] = mapped_column(BigInteger)
    channel: Mapped[str] = mapped_column(String(8))
    reason: Mapped[str] = mapped_column(String(40))
    language: Mapped[str] = mapped_column(String(35))
    recipient: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str | None] = mapped_column(Text)
    message: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        UniqueConstraint("event_id", "channel"),
        Index("ix_notices_due", "next_attempt_at", postgresql_where=text("status = 'pending'")),
    )


class NoticeFeedCursor(Base):
    """One row: the feed position up to which events have been turned into notices."""

    __tablename__ = "notice_feed_cursor"

    id: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    position: Mapped[int] = mapped_column(BigInteger)

    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)


class NoticeCode(Base):
    """A new appeal's tracking code, written by intake's statement for the receipt notice and
    deleted by the worker in the transaction that renders that notice (seconds later)."""

    __tablename__ = "notice_codes"

    appeal_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("appeals.id", ondelete="CASCADE"), primary_key=True
    )
    code: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
