"""What the audit answers: findings per broken chain, and the chain heads kept for safekeeping."""

from __future__ import annotations

from enum import StrEnum
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from appeals_api.types import Instant


class FindingKind(StrEnum):
    CHANGED = "changed"  # the entry's content does not match its hash
    REMOVED = "removed"  # a position is missing, or the chain does not link to the entry before
    INSERTED = "inserted"  # an entry beside another at its position, or out of order
    REWRITTEN = "rewritten"  # the chain holds, but not the head exported for safekeeping


class Finding(BaseModel):
    """The first break of one appeal's chain."""

    appeal_id: UUID
    number: str | None = Field(description="The appeal's number; null if the appeal is gone.")
    entry_id: int | None = Field(description="The history entry where the break shows, if any.")
    position: int = Field(description="The place in the appeal's chain where it breaks.")
    kind: FindingKind
    detail: str


class AuditReport(BaseModel):
    ok: bool = Field(description="Every chain holds (and matches the heads given, if any).")
    as_of: Instant
    appeals_checked: int
    entries_checked: int
    broken_appeals: int
    findings: list[Finding] = Field(description="The first break of each broken chain.")
    truncated: bool = Field(description="More broken chains than the findings listed.")


class ChainHead(BaseModel):
    """The last entry of an appeal's chain: kept elsewhere, it shows a chain later cut short or
    rewritten (one JSON line of `appeals-api audit heads`)."""

    model_config = ConfigDict(extra="ignore")

    appeal_id: UUID
    number: str | None
    entries: int = Field(ge=1, description="The head's position: how many entries the chain had.")
    head_hash: str = Field(pattern="^[0-9a-f]{64}$")
    as_of: Instant


class ChainHeadPage(BaseModel):
    as_of: Instant
    heads: list[ChainHead]
    next_after: UUID | None = Field(description="Pass as `after` for the next page; null: done.")
