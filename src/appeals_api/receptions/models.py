"""Receptions (R-11, §52–60): the published schedule, personal reception records, and mass
reception protocols with their entries (R-1.7: an entry resolved on the spot is no appeal)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from appeals_api.db import Base, StrEnumType


class ReceptionKind(StrEnum):
    """R-11.1, §52–53: how the official receives."""

    PERSONAL = "personal"
    MASS = "mass"
    ON_SITE = "on_site"
    VIDEO = "video"


class ReceptionResult(StrEnum):
    """R-11.2: what became of the matter raised at a personal reception."""

    APPEAL_REGISTERED = "appeal_registered"  # §59: registered like any other appeal
    EXPLAINED_COMPETENT_BODY = "explained_competent_body"  # §58: not the company's matter
    RESOLVED_ON_THE_SPOT = "resolved_on_the_spot"  # §60


class ScheduleEntry(Base):
    """One entry of the reception schedule (§53); cancelled, never deleted."""

    __tablename__ = "reception_schedule"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    official_name: Mapped[str] = mapped_column(String(200))
    official_post: Mapped[str] = mapped_column(String(300))
    kind: Mapped[ReceptionKind] = mapped_column(StrEnumType(ReceptionKind, 16))
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ends_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    place: Mapped[str] = mapped_column(String(500))
    note: Mapped[str | None] = mapped_column(Text)
    # {"weekday": 1..7 (ISO), "until": "YYYY-MM-DD"}: expanded when published.
    weekly: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    cancelled_by: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (Index("ix_reception_schedule_starts_at", "starts_at"),)


class PersonalReception(Base):
    """A personal reception held (R-11.2, §54–59)."""

    __tablename__ = "personal_receptions"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    schedule_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("reception_schedule.id"))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    official: Mapped[dict[str, Any]] = mapped_column(JSONB)
    person: Mapped[dict[str, Any]] = mapped_column(JSONB)
    identity_document: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    recording_notice: Mapped[bool] = mapped_column(Boolean)
    matter: Mapped[str] = mapped_column(Text)
    result: Mapped[ReceptionResult] = mapped_column(StrEnumType(ReceptionResult, 32))
    competent_body: Mapped[str | None] = mapped_column(Text)
    written_answer_requested: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str | None] = mapped_column(Text)
    appeal_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("appeals.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(200))

    __table_args__ = (Index("ix_personal_receptions_received_at", "received_at"),)


class Protocol(Base):
    """The protocol of a mass reception (§60, R-11.3)."""

    __tablename__ = "reception_protocols"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    schedule_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("reception_schedule.id"))
    held_on: Mapped[date] = mapped_column(Date)
    place: Mapped[str] = mapped_column(String(500))
    officials: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(200))

    __table_args__ = (Index("ix_reception_protocols_held_on", "held_on"),)


class ProtocolEntry(Base):
    """One person heard at a mass reception (§60): resolved on the spot (no number, no
    deadline, R-1.7) or registered as an appeal linked here."""

    __tablename__ = "reception_protocol_entries"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    protocol_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("reception_protocols.id", ondelete="CASCADE")
    )
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(300))
    residence: Mapped[str] = mapped_column(String(500))
    summary: Mapped[str] = mapped_column(Text)
    result: Mapped[str] = mapped_column(Text)
    resolved_on_the_spot: Mapped[bool] = mapped_column(Boolean)
    appeal_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("appeals.id"))

    __table_args__ = (UniqueConstraint("protocol_id", "position"),)
