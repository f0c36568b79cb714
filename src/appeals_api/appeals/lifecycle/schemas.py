"""The bodies of the lifecycle actions (API.md "Lifecycle"), one model per action."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StrictBool, StrictInt, model_validator

from appeals_api.appeals.enums import LeaveGround, MeasureType, Outcome, TerminationGround
from appeals_api.appeals.schemas import Input
from appeals_api.types import (
    IsoDate,
    LanguageTag,
    Line,
    LongText,
    Paragraph,
    RequiredLine,
    ShortLine,
)
from appeals_api.units.schemas import UnitCode

RequiredParagraph = Annotated[Paragraph, Field(min_length=1)]
LetterNumber = Annotated[ShortLine, Field(min_length=1, max_length=100)]


class ActionBody(Input):
    """Every action may carry a note for the history."""

    note: Paragraph | None = None


class NamedExecutor(Input):
    unit: UnitCode
    name: RequiredLine


class ResolveBody(ActionBody):
    """R-4.1: units lead first, the instruction; `study_required` gives a month (§36)."""

    units: list[UnitCode] = Field(min_length=1, max_length=20)
    instruction: RequiredParagraph
    study_required: StrictBool = False
    executors: list[NamedExecutor] = Field(default_factory=list, max_length=50)

    @model_validator(mode="after")
    def _distinct_units(self) -> ResolveBody:
        if len(set(self.units)) != len(self.units):
            raise ValueError("units must not repeat")
        unknown = {e.unit for e in self.executors} - set(self.units)
        if unknown:
            raise ValueError(f"executors name units not in the resolution: {sorted(unknown)}")
        return self


class DeadlineChangeBody(ActionBody):
    """R-3.4: a manager's new deadline, with the reason. An extension (§36): the answer deadline
    only, once per appeal, before it passes, to at most a month past the legal deadline; a
    shortening (§38): earlier, never in the past."""

    due_date: IsoDate
    reason: RequiredParagraph
    rule: Annotated[str | None, Field(max_length=64)] = Field(
        default=None,
        description="The stage deadline to change; default the answer deadline (the only one "
        "an extension may move).",
    )


class MeasureBody(ActionBody):
    """R-5.1: a request for information, hearing, on-site inspection or summons; §23: a collegial
    hearing with other bodies and organisations (their names, where, the result)."""

    type: MeasureType
    held_on: IsoDate
    description: RequiredParagraph
    party: Paragraph | None = Field(
        default=None, description="Who was asked, heard, visited or summoned."
    )
    bodies: list[RequiredLine] | None = Field(
        default=None,
        max_length=50,
        description="§23: the other bodies and organisations of a collegial hearing (required "
        "for `collegial_hearing`, refused for another type).",
    )
    place: Line | None = Field(default=None, description="Where a collegial hearing was held.")
    result: Paragraph | None = None
    result_on: IsoDate | None = None

    @model_validator(mode="after")
    def _result_with_date(self) -> MeasureBody:
        if (self.result is None) != (self.result_on is None):
            raise ValueError("result and result_on go together")
        return self

    @model_validator(mode="after")
    def _bodies_of_a_hearing(self) -> MeasureBody:
        collegial = self.type is MeasureType.COLLEGIAL_HEARING
        if collegial and not self.bodies:
            raise ValueError("a collegial hearing names the other bodies it was held with (§23)")
        if not collegial and (self.bodies is not None or self.place is not None):
            raise ValueError("bodies and place are recorded for a collegial hearing (§23)")
        return self


class MeasureResultBody(ActionBody):
    measure_id: StrictInt = Field(ge=1, le=2**62)
    result: RequiredParagraph
    result_on: IsoDate


class RespondBody(ActionBody):
    """R-6.1: the response drafted by the lead unit; a rejection states its grounds (§39)."""

    outcome: Outcome | None = None
    text: LongText
    language: LanguageTag | None = Field(
        default=None, description="Default: the appeal's language (§40)."
    )
    interim: StrictBool = False
    grounds: Paragraph | None = None

    @model_validator(mode="after")
    def _final_needs_outcome(self) -> RespondBody:
        if not self.interim and self.outcome is None:
            raise ValueError("a final response states its outcome")
        if self.outcome is Outcome.REJECTED and not (self.grounds and self.grounds.strip()):
            raise ValueError("a rejection must state its grounds (§39)")
        return self


class RevisionBody(ActionBody):
    reason: RequiredParagraph


class SendBody(ActionBody):
    """R-6.3: the letter's number and the day it went out; that day ends consideration."""

    letter_number: LetterNumber
    sent_on: IsoDate | None = Field(default=None, description="Default: today (Tashkent).")
    control_letter_number: LetterNumber | None = Field(
        default=None, description="The letter to the higher body, for appeals under its control."
    )


class WithdrawBody(ActionBody):
    """R-7.3: the day the applicant's withdrawal statement was received; the answer's draft."""

    received_on: IsoDate
    text: LongText | None = Field(
        default=None, description="The written answer's draft; a deputy chairman signs it (§51)."
    )


_SENT_BY_SEND = "Not taken here: the letter is sent by `send` once a manager has signed it."


class ForwardBody(ActionBody):
    """R-7.4: the competent organisation the appeal is sent to (§31), by a signed letter."""

    body: RequiredLine
    text: LongText | None = Field(default=None, description="The forwarding letter's text.")
    letter_number: LetterNumber | None = Field(
        default=None, description="The number reserved for the letter; `send` gives the final one."
    )
    sent_on: IsoDate | None = Field(default=None, description=_SENT_BY_SEND)


class ReturnBody(ActionBody):
    """§31: back to the applicant, with a thorough explanation of what is missing."""

    explanation: RequiredParagraph
    letter_number: LetterNumber | None = Field(
        default=None, description="The number reserved for the letter; `send` gives the final one."
    )
    sent_on: IsoDate | None = Field(default=None, description=_SENT_BY_SEND)


class StudyNoticeBody(ActionBody):
    """§37: the proposal's author is told in writing, within ten days, that it needs study."""

    letter_number: LetterNumber
    sent_on: IsoDate | None = Field(default=None, description="Default: today (Tashkent).")
    text: LongText | None = None


class LeaveBody(ActionBody):
    """R-7.1: the conclusion the Appeals Department drew up, approved by a deputy chairman."""

    ground: LeaveGround
    conclusion: RequiredParagraph
    prepared_by: RequiredLine | None = None


class RestoreTermBody(ActionBody):
    """R-3.5 (§16): a manager restores the term of a complaint filed late, for a valid reason."""

    reason: RequiredParagraph


class ReportSendBody(ActionBody):
    """R-1.6 (§14): the envelope report's copy goes to the applicant, with its number."""

    letter_number: LetterNumber
    sent_on: IsoDate | None = Field(default=None, description="Default: today (Tashkent).")


class TerminateBody(ActionBody):
    """R-7.2: a deputy chairman's decision to terminate, on a ground of §50."""

    ground: TerminationGround
    conclusion: RequiredParagraph


class OriginalRef(ActionBody):
    """R-5.2: the original appeal by number; default the one named at intake (`related`)."""

    year: StrictInt | None = Field(default=None, ge=1991, le=2200)
    number: StrictInt | None = Field(default=None, ge=1, le=10_000_000)

    @model_validator(mode="after")
    def _both_or_neither(self) -> OriginalRef:
        if (self.year is None) != (self.number is None):
            raise ValueError("year and number go together")
        return self


class DuplicateNoticeBody(OriginalRef):
    letter_number: LetterNumber
    sent_on: IsoDate | None = None


class ClarificationRequestBody(ActionBody):
    """§42: the applicant asks to clarify or correct the response."""

    received_on: IsoDate
    request: RequiredParagraph


class ClarificationSendBody(ActionBody):
    text: LongText
    letter_number: LetterNumber
    sent_on: IsoDate | None = None
