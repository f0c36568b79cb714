from __future__ import annotations

from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StringConstraints,
    model_validator,
)

from appeals_api.types import Instant, RequiredLine

# Case-insensitive: `eco` and `ECO` are one unit, stored and answered in upper case.
UnitCode = Annotated[
    str, StringConstraints(pattern=r"^[A-Za-z0-9_.-]{1,64}$"), AfterValidator(str.upper)
]
UnitName = Annotated[RequiredLine, StringConstraints(max_length=300)]  # the column's size


class UnitCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: UnitCode = Field(description="Any case; kept in upper case (`eco` is `ECO`).")
    name: UnitName


class UnitPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: UnitName | None = Field(default=None, description="The unit's new name.")
    retired: StrictBool | None = Field(
        default=None,
        description="true retires the unit: no new routings to it; the appeals routed to it "
        "and their history keep it. false brings it back.",
    )

    @model_validator(mode="after")
    def _something(self) -> UnitPatch:
        if self.name is None and self.retired is None:
            raise ValueError("give `name`, `retired` or both")
        return self


class UnitRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    name: str
    created_at: Instant
    retired: bool = Field(description="Retired: listed, but receives no new routings.")
    retired_at: Instant | None


class UnitList(BaseModel):
    items: list[UnitRead]
