"""The search row of an appeal, kept by triggers (migration 0014): what its readers may search.

Two documents, so personal data is searched only where the reader may see it (R-8.2):
`public_doc` (text, summary, channel reference, letters) and `personal_doc` (applicants' and
representative's names, addresses, phones, e-mails, and the documents' names: a confidential
appeal's documents are personal data, R-12.1); `name_grams` is the trigrams of the folded
names (a typo still finds the person); `person_keys` the keys its applicants are recognised by
(phone, e-mail, name and address skeletons: migration 0015), for duplicate suggestions.
"""

from __future__ import annotations

import uuid

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, Integer, SmallInteger, Text
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
    person_keys: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default="{}")
    # The appeal's number (never changed, R-2.1): the newest matches are walked here alone.
    year: Mapped[int | None] = mapped_column(SmallInteger)
    seq: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (
        Index("ix_appeal_search_public", "public_doc", postgresql_using="gin"),
        Index("ix_appeal_search_personal", "personal_doc", postgresql_using="gin"),
        Index("ix_appeal_search_names", "name_grams", postgresql_using="gin"),
        Index("ix_appeal_search_person_keys", "person_keys", postgresql_using="gin"),
        Index("ix_appeal_search_number", sql_text("year DESC"), sql_text("seq DESC")),
    )


class SearchFeedCursor(Base):
    """One row: the feed position up to which `appeal.registered` events have been indexed.
    The worker moves it in the transaction that builds those appeals' rows (`index_registered`)."""

    __tablename__ = "search_feed_cursor"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    position: Mapped[int] = mapped_column(BigInteger)
