"""The documents of an appeal (R-12.1) and, apart, the bytes of the PostgreSQL storage."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from appeals_api.db import Base, StrEnumType


class DocumentKind(StrEnum):
    """What a document is to its appeal (R-12.1; §12–14, §44)."""

    SCAN = "scan"  # the scan of a paper appeal
    ATTACHMENT = "attachment"  # the applicant's attachments (§13)
    AUTHORITY_DOCUMENT = "authority_document"  # a representative's authority (§12)
    ENVELOPE = "envelope"  # the envelope (§14)
    CONSIDERATION_MATERIAL = "consideration_material"
    SIGNED_RESPONSE = "signed_response"
    HIGHER_BODY_LETTER = "higher_body_letter"  # a letter to a higher body (§44)
    OTHER = "other"


class Document(Base):
    """One document: what it is, who added it and when, its bytes' digest; never deleted,
    only withdrawn with a reason."""

    __tablename__ = "documents"
    __table_args__ = (UniqueConstraint("appeal_id", "added_by_id", "idempotency_key"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    appeal_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("appeals.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[DocumentKind] = mapped_column(StrEnumType(DocumentKind, 32))
    name: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    content_type: Mapped[str] = mapped_column(String(100))
    storage_key: Mapped[str] = mapped_column(String(200))
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    added_by_id: Mapped[uuid.UUID] = mapped_column()
    added_by: Mapped[str] = mapped_column(String(200))
    idempotency_key: Mapped[str | None] = mapped_column(String(255))
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    withdrawn_by: Mapped[str | None] = mapped_column(String(200))
    withdrawal_reason: Mapped[str | None] = mapped_column(Text)


class DocumentChunk(Base):
    """A piece of a stored blob (the PostgreSQL storage): `seq` 0, 1, 2 … in order."""

    __tablename__ = "document_chunks"

    blob: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    data: Mapped[bytes] = mapped_column(LargeBinary)
