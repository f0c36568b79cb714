"""The search row of an appeal, kept by triggers (migration 0014): what its readers may search.

Two documents, so personal data is searched only where the reader may see it (R-8.2):
`public_doc` (text, summary, channel reference, letters) and `personal_doc` (applicants' and
representative's names, addresses, phones, e-mails, and the documents' names: a confidential
appeal's documents are personal data, R-12.1); `name_grams` is the trigrams of the folded
names (a typo still finds the person).
"""

from __future__ import annotations

import uuid

from sqlalchemy import Boolean, ForeignKey, Index, Text
from sqlalchemy import text as sql_text
from sqlalchemy.dialects.postgresql import ARRAY, TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from appeals_api.db import Base


class AppealSearch(Base):
    __tablename__ = "appeal_search"

    appeal_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("appeals.id", ondelete="CASCADE", deferrable=True, initially="DEFERRED"),
        primary_key=True,
    )
    public_doc: Mapped[str] = mapped_column(TSVECTOR, server_default=sql_text("''::tsvector"))
    personal_doc: Mapped[str] = mapped_column(TSVECTOR, server_default=sql_text("''::tsvector"))
    name_grams: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default="{}")
    # A new appeal's documents are built by the worker a tick after intake (`refresh_stale`).
    stale: Mapped[bool] = mapped_column(Boolean, server_default=sql_text("false"))

    __table_args__ = (
        Index("ix_appeal_search_public", "public_doc", postgresql_using="gin"),
        Index("ix_appeal_search_personal", "personal_doc", postgresql_using="gin"),
        Index("ix_appeal_search_names", "name_grams", postgresql_using="gin"),
        Index("ix_appeal_search_stale", "appeal_id", postgresql_where=sql_text("stale")),
    )
