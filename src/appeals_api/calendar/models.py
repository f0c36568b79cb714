from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    SmallInteger,
    String,
    Text,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from appeals_api.db import Base


class CalendarOverride(Base):
    """A day made off or working by decree; wins over the holidays package (R-3)."""

    __tablename__ = "calendar_overrides"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    working: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_by: Mapped[str] = mapped_column(String(200))


class CalendarState(Base):
    """One row: the calendar's version, bumped by every change of an override (R-3.6).

    Intake and actions share-lock it until commit (`service.load_versioned`,
    the intake statement), so a decree override waits for them, then recomputes what they wrote."""

    __tablename__ = "calendar_state"

    id: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger)

    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)
