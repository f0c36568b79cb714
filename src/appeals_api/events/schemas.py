from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel


class EventRead(BaseModel):
    id: int
    type: str
    occurred_at: datetime
    appeal_id: UUID | None
    data: dict[str, Any]


class EventPage(BaseModel):
    items: list[EventRead]
    last_id: int
