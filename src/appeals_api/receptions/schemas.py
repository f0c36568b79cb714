"""Receptions at the edge (R-11): the schedule, personal receptions, mass reception protocols."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, model_validator

from appeals_api.appeals.enums import Kind
from appeals_api.appeals.schemas import IndividualApplicant
from appeals_api.receptions.models import ReceptionKind, ReceptionResult
from appeals_api.types import (
    Instant,
    IsoDate,
    IsoMoment,
    LanguageTag,
    Line,
    LongText,
    Paragraph,
    RequiredLine,
    ShortLine,
)


class Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Weekly(Input):
    """Repeats every week on `weekday` (ISO: 1 Monday … 7 Sunday) until `until` inclusive."""

    weekday: StrictInt = Field(ge=1, le=7)
    until: IsoDate


# A weekly rule runs at most this long: a schedule is published for the coming months (§53).
WEEKLY_AT_MOST_DAYS = 3 * 366


def check_weekly(weekly: Weekly, starts_at: datetime) -> None:
    if weekly.until < starts_at.date():
        raise ValueError("weekly.until must not be before starts_at")
    if (weekly.until - starts_at.date()).days > WEEKLY_AT_MOST_DAYS:
        raise ValueError(f"weekly.until is at most {WEEKLY_AT_MOST_DAYS} days after starts_at")


class ScheduleCreate(Input):
    official_name: RequiredLine
    official_post: RequiredLine
    kind: ReceptionKind
    starts_at: IsoMoment
    ends_at: IsoMoment
    place: RequiredLine
    note: Paragraph | None = None
    weekly: Weekly | None = None

    @model_validator(mode="after")
    def _ends_after_start(self) -> ScheduleCreate:
        if self.ends_at <= self.starts_at:
            raise ValueError("ends_at must be after starts_at")
        if self.weekly:
            check_weekly(self.weekly, self.starts_at)
        return self


class SchedulePatch(Input):
    """Fields to change; `cancelled: true` cancels the entry (it stays, marked, §53)."""

    official_name: RequiredLine | None = None
    official_post: RequiredLine | None = None
    kind: ReceptionKind | None = None
    starts_at: IsoMoment | None = None
    ends_at: IsoMoment | None = None
    place: RequiredLine | None = None
    note: Paragraph | None = None
    weekly: Weekly | None = None
    cancelled: Literal[True] | None = None


class ScheduleRead(BaseModel):
    id: UUID
    official_name: str
    official_post: str
    kind: ReceptionKind
    starts_at: Instant
    ends_at: Instant
    place: str
    note: str | None
    weekly: Weekly | None
    cancelled: bool
    cancelled_at: Instant | None
    created_at: Instant
    updated_at: Instant


class Occurrence(BaseModel):
    """One reception as published (R-11.1): a weekly entry gives one per week."""

    uid: str = Field(description="Stable per entry and occurrence (the iCalendar UID).")
    entry_id: UUID
    official_name: str
    official_post: str
    kind: ReceptionKind
    starts_at: Instant
    ends_at: Instant
    place: str
    note: str | None
    cancelled: bool


class Official(Input):
    name: RequiredLine
    post: Line | None = None


class IdentityDocument(Input):
    """§55–56: the identity document checked (not at mass receptions)."""

    type: RequiredLine
    number: ShortLine


class OralAppeal(Input):
    """The oral appeal made at the reception, registered through intake (§59)."""

    kind: Kind
    text: LongText
    language: LanguageTag = "uz"
    summary: Paragraph | None = None


class PersonalReceptionCreate(Input):
    schedule_id: UUID | None = None
    received_at: IsoMoment | None = None
    official: Official
    person: IndividualApplicant
    identity_document: IdentityDocument | None = None
    recording_notice: StrictBool = Field(
        default=False, description="§54: the applicant was told of audio/video recording."
    )
    matter: Paragraph = Field(min_length=1)
    result: ReceptionResult
    appeal: OralAppeal | None = Field(
        default=None, description="`appeal_registered`: the oral appeal, registered now."
    )
    appeal_id: UUID | None = Field(
        default=None, description="`appeal_registered`: an appeal registered separately."
    )
    competent_body: Line | None = Field(
        default=None, description="`explained_competent_body`: the body explained (§58)."
    )
    written_answer_requested: StrictBool = False

    @model_validator(mode="after")
    def _result_needs(self) -> PersonalReceptionCreate:
        registered = self.result is ReceptionResult.APPEAL_REGISTERED
        if registered and (self.appeal is None) == (self.appeal_id is None):
            raise ValueError("appeal_registered takes either `appeal` or `appeal_id`")
        if not registered and (self.appeal or self.appeal_id):
            raise ValueError("`appeal` and `appeal_id` go with result appeal_registered")
        explained = self.result is ReceptionResult.EXPLAINED_COMPETENT_BODY
        if explained and not self.competent_body:
            raise ValueError("explained_competent_body names the competent_body (§58)")
        return self


class PersonalReceptionRead(BaseModel):
    id: UUID
    schedule_id: UUID | None
    received_at: Instant
    official: Official
    person: IndividualApplicant
    identity_document: dict[str, str] | None
    personal_data_masked: bool
    recording_notice: bool
    matter: str
    result: ReceptionResult
    competent_body: str | None
    written_answer_requested: bool
    note: str | None
    appeal_id: UUID | None
    appeal_number: str | None
    created_at: Instant
    created_by: str


class ProtocolEntryCreate(Input):
    name: RequiredLine
    residence: RequiredLine
    summary: Paragraph = Field(min_length=1)
    result: Paragraph = Field(min_length=1)
    resolved_on_the_spot: StrictBool
    kind: Kind = Field(
        default=Kind.APPLICATION, description="The appeal's kind when not resolved on the spot."
    )
    language: LanguageTag = "uz"


class ProtocolCreate(Input):
    schedule_id: UUID | None = None
    held_on: IsoDate
    place: RequiredLine
    officials: list[Official] = Field(min_length=1, max_length=50)
    entries: list[ProtocolEntryCreate] = Field(min_length=1, max_length=500)


class ProtocolEntryRead(BaseModel):
    id: UUID
    position: int
    name: str
    residence: str
    summary: str
    result: str
    resolved_on_the_spot: bool
    appeal_id: UUID | None = Field(description="Null when resolved on the spot (R-1.7).")
    appeal_number: str | None
    due_date: date | None


class ProtocolRead(BaseModel):
    id: UUID
    schedule_id: UUID | None
    held_on: date
    place: str
    officials: list[Official]
    entries: list[ProtocolEntryRead]
    personal_data_masked: bool
    created_at: Instant
    created_by: str


class ReceptionList(BaseModel):
    items: list[PersonalReceptionRead]


class ScheduleList(BaseModel):
    items: list[ScheduleRead]


class OccurrenceList(BaseModel):
    items: list[Occurrence]
