from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Index, String, func, text
from sqlalchemy.orm import Mapped, mapped_column

from appeals_api.db import Base


class Unit(Base):
    """A structural unit of the company that can be made responsible for an appeal (§19, §27).

    Its code is upper case (one unit however it is typed: `eco` is `ECO`, migration 0022).
    A retired unit receives no new routings; the appeals routed to it keep it (R-4.3)."""

    __tablename__ = "units"
    __table_args__ = (Index("uq_units_code_upper", func.upper(text("code")), unique=True),)

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    retired_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_by: Mapped[str | None] = mapped_column(String(300))
