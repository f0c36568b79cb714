"""Documents at the edge (R-12.1)."""

from __future__ import annotations

import uuid

from pydantic import BaseModel, ConfigDict, Field

from appeals_api.documents.models import DocumentKind
from appeals_api.types import Instant


class DocumentRead(BaseModel):
    """A document as the API shows it; `withdrawn_*` set once it was withdrawn."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    appeal_id: uuid.UUID
    kind: DocumentKind
    name: str
    size: int
    sha256: str
    content_type: str
    added_at: Instant
    added_by: str
    withdrawn: bool
    withdrawn_at: Instant | None
    withdrawn_by: str | None
    withdrawal_reason: str | None


class DocumentList(BaseModel):
    items: list[DocumentRead]


class DocumentWithdraw(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=2000)
