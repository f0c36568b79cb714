from __future__ import annotations

from typing import Any
from uuid import UUID

from pydantic import BaseModel, Field

from appeals_api.types import Instant


class EventRead(BaseModel):
    id: int
    type: str
    occurred_at: Instant
    appeal_id: UUID | None
    data: dict[str, Any]


class EventPage(BaseModel):
    items: list[EventRead]
    last_id: int = Field(
        description="Where to resume (`after=`): the last item's id; on an empty page `after`, "
        "or the feed's head when `after` is beyond it, so a stored cursor never skips events."
    )
