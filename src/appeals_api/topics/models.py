from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from appeals_api.db import Base


class Topic(Base):
    """A question of the classifier (R-13.1): retired, never deleted, so old appeals and their
    statistics keep it."""

    __tablename__ = "topics"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    parent: Mapped[str | None] = mapped_column(ForeignKey("topics.code"))
    name_uz: Mapped[str] = mapped_column(String(300))
    name_uz_cyrl: Mapped[str] = mapped_column(String(300))
    name_ru: Mapped[str] = mapped_column(String(300))
    name_en: Mapped[str] = mapped_column(String(300))
    # Suggestions for the registrar and the manager, never applied by themselves.
    lead_unit: Mapped[str | None] = mapped_column(ForeignKey("units.code"))
    confidential: Mapped[bool] = mapped_column(Boolean, server_default="false")
    retired_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    retired_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    @property
    def active(self) -> bool:
        return self.retired_at is None
