from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

from appeals_api.types import Instant, RequiredLine

UnitCode = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.-]{1,64}$")]


class UnitCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: UnitCode
    name: Annotated[RequiredLine, StringConstraints(max_length=300)]  # the column's size


class UnitRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    name: str
    created_at: Instant


class UnitList(BaseModel):
    items: list[UnitRead]
