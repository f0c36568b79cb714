from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import BigInteger, Date, DateTime, SmallInteger, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from appeals_api.db import Base


class DeadlineNotice(Base):
    """A reminder or overdue notice published for a stage deadline (R-9.1).

    The unique constraint is what makes each notice happen once per appeal, rule, due date and
    kind, whichever worker gets there first and however often runs repeat or crash.
    """

    __tablename__ = "deadline_notices"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    appeal_id: Mapped[uuid.UUID] = mapped_column()
    rule: Mapped[str] = mapped_column(String(64))
    due_on: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(16))  # approaching | overdue
    days_before: Mapped[int] = mapped_column(SmallInteger)  # working days; 0 for overdue
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (UniqueConstraint("appeal_id", "rule", "due_on", "kind", "days_before"),)
