"""DIRECTUM at the edge: the delivery status shown on the appeal, and the callback body."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StringConstraints, model_validator

from appeals_api.directum.models import CallbackKind, CallbackOutcome
from appeals_api.types import Instant, IsoDate, IsoMoment
from appeals_api.units.schemas import UnitCode

CallbackId = Annotated[str, StringConstraints(pattern=r"^[\x21-\x7e]{1,100}$")]
RegistrationNumber = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=100, pattern=r"^[^\x00-\x1f\x7f]+$"
    ),
]


class CallbackCreate(BaseModel):
    """A report from DIRECTUM about an appeal it received; `callback_id` makes retries safe."""

    model_config = ConfigDict(extra="forbid")

    callback_id: CallbackId
    appeal_id: UUID | None = Field(default=None, description="The appeal, or year + number.")
    year: StrictInt | None = Field(default=None, ge=1991, le=2200)
    number: StrictInt | None = Field(default=None, ge=1, le=10_000_000)
    unit: UnitCode
    kind: CallbackKind
    registration_number: RegistrationNumber | None = Field(
        default=None, description="response_registered: the letter's registration number."
    )
    registration_date: IsoDate | None = Field(
        default=None, description="response_registered: the letter's registration date."
    )
    occurred_at: IsoMoment | None = Field(
        default=None, description="When it happened in DIRECTUM (kept as reported)."
    )

    @model_validator(mode="after")
    def _consistent(self) -> CallbackCreate:
        partial = (self.year is None) != (self.number is None)
        by_number = self.year is not None and self.number is not None
        if partial or (self.appeal_id is not None) == by_number:
            raise ValueError("name the appeal by appeal_id, or by year and number")
        registration = (self.registration_number, self.registration_date)
        if self.kind is CallbackKind.RESPONSE_REGISTERED and None in registration:
            raise ValueError("response_registered needs registration_number and registration_date")
        if self.kind is CallbackKind.ACCEPTED and registration != (None, None):
            raise ValueError("accepted takes no registration_number or registration_date")
        if self.registration_date is not None and not (
            date(1991, 1, 1) <= self.registration_date <= date(2200, 12, 31)
        ):
            raise ValueError("registration_date is not plausible")
        return self


class CallbackResult(BaseModel):
    callback_id: str
    appeal_id: UUID
    unit: str
    kind: CallbackKind
    outcome: CallbackOutcome
    detail: str | None
    received_at: Instant
