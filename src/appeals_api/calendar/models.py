from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    Uuid,
    func,
)
from sqlalchemy import text as sql_text
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

    Intake, actions and the recompute's batches share-lock it until commit
    (`service.load_versioned`, the intake statement, `recompute.run`), so a decree override
    waits for them; what it changes is recomputed after (`CalendarRecompute`)."""

    __tablename__ = "calendar_state"

    id: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger)

    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)


class CalendarRecompute(Base):
    """What a decree override leaves to recompute (R-3.6, issue 18): written with the override
    and the version's bump, in their short transaction, so it cannot be lost; done in batches of
    short transactions (`recompute.run`) walking the appeals of its scope by id."""

    __tablename__ = "calendar_recomputes"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    version: Mapped[int] = mapped_column(BigInteger)  # the calendar's, once the override is in
    day: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text)  # the history's note of every recompute
    actor_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    actor_name: Mapped[str] = mapped_column(String(200))
    actor_role: Mapped[str] = mapped_column(String(32))
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # When the scope (`calendar_recompute_appeals`) was taken; how far the walk got.
    scoped_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    after_appeal: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    appeals: Mapped[int] = mapped_column(Integer, server_default="0")
    moved: Mapped[int] = mapped_column(Integer, server_default="0")
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        Index(
            "ix_calendar_recomputes_pending",
            "day",
            postgresql_where=sql_text("finished_at IS NULL"),
        ),
    )


class CalendarRecomputeAppeal(Base):
    """One appeal of a recompute's scope; the rows go when the job is finished."""

    __tablename__ = "calendar_recompute_appeals"

    job_id: Mapped[int] = mapped_column(
        ForeignKey("calendar_recomputes.id", ondelete="CASCADE"), primary_key=True
    )
    appeal_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
