from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from appeals_api.types import Instant, RequiredLine


class OverrideWrite(BaseModel):
    """A day made off (`working: false`) or working (`working: true`) by decree."""

    model_config = ConfigDict(extra="forbid")

    working: StrictBool
    reason: RequiredLine


class OverrideRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    day: date
    working: bool
    reason: str
    updated_at: Instant
    updated_by: str


class OverrideChange(OverrideRead):
    # The deadlines moved by the time of the answer; the rest follow in the worker.
    recomputed_deadlines: int
    recompute_id: int = Field(description="The recompute this override left (issue 18)")
    recompute_done: bool = Field(
        description="Whether every open deadline the day touches is recomputed already"
    )


class OverrideList(BaseModel):
    items: list[OverrideRead]


class CalendarDay(BaseModel):
    date: date
    working: bool
    reason: str | None


class WorkingDays(BaseModel):
    # Answered as `from`, like the query parameter; `from_` (the Python name) is still accepted.
    model_config = ConfigDict(populate_by_name=True)

    from_: date = Field(alias="from")
    to: date
    working_days: int
    days: list[CalendarDay]


class RuleRead(BaseModel):
    name: str
    description: str
    unit: str
    amount: int
    counted_from: str
    clause: str


class DeadlineAnswer(BaseModel):
    rule: RuleRead
    start: date
    due_date: date
