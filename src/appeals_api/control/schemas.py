from __future__ import annotations

from datetime import date
from uuid import UUID

from pydantic import BaseModel, Field


class ControlRow(BaseModel):
    unit: str
    executor: str | None
    appeal_id: UUID
    number: str
    status: str
    rule: str
    due_on: date
    lead: bool = Field(description="The unit answers for the joint review (§27).")
    overdue: bool
    days_overdue: int | None
    working_days_left: int | None


class ControlGroup(BaseModel):
    unit: str
    executor: str | None
    overdue: int
    due_soon: int


class ControlReport(BaseModel):
    """R-9.2: what the head of secretariat reports to the Chairman (§20)."""

    as_of: date
    soon_working_days: int
    groups: list[ControlGroup]
    rows: list[ControlRow]
    truncated: bool
