"""The appeal at the edge: intake body, the appeal as returned, list filters."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    field_validator,
    model_validator,
)

from appeals_api.appeals.enums import (
    Channel,
    ControlType,
    DispatchStatus,
    EnvelopeCheck,
    Form,
    Kind,
    Outcome,
    Relation,
    Status,
)
from appeals_api.appeals.similar.schemas import SimilarAppeal
from appeals_api.topics.schemas import TopicCode
from appeals_api.types import (
    Instant,
    IsoDate,
    IsoMoment,
    LanguageTag,
    Line,
    LongText,
    Paragraph,
    ShortLine,
)


class Input(BaseModel):
    """Request bodies: unknown or server-owned fields are refused, never dropped."""

    model_config = ConfigDict(extra="forbid")


class Output(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class DirectumResponseRead(Output):
    unit: str
    registration_number: str
    registration_date: date


class DirectumRead(Output):
    """R-4.2: how the latest dispatch to DIRECTUM went, and what DIRECTUM reported back."""

    status: DispatchStatus = Field(
        description="pending: not yet sent; failed: the last attempt failed and it is retried "
        "at next_attempt_at; delivered: DIRECTUM acknowledged it."
    )
    attempts: int
    last_error: str | None
    last_attempt_at: Instant | None
    next_attempt_at: Instant | None
    delivered_at: Instant | None
    responses: list[DirectumResponseRead] = Field(
        description="Response letters the units registered in DIRECTUM."
    )


class Contacts(Input):
    email: ShortLine | None = None
    phone: ShortLine | None = None
    fax: ShortLine | None = None


class IndividualApplicant(Contacts):
    """R-1.2: an individual; a missing name or address is registered all the same (R-1.5)."""

    type: Literal["individual"]
    last_name: ShortLine | None = None
    first_name: ShortLine | None = None
    patronymic: ShortLine | None = None
    address: Line | None = None

    def identified(self) -> bool:
        return bool(self.last_name and self.first_name and self.address)


class LegalEntityApplicant(Contacts):
    type: Literal["legal_entity"]
    name: Line | None = None
    address: Line | None = None

    def identified(self) -> bool:
        return bool(self.name and self.address)


Applicant = Annotated[IndividualApplicant | LegalEntityApplicant, Field(discriminator="type")]


class Representative(Input):
    """R-1.3: who appeals for the applicant, and whether authority documents came with it."""

    name: ShortLine | None = None
    legal_representative: StrictBool = False
    authority_documents: StrictBool = False
    address: Line | None = None


class Control(Input):
    """R-2.4: internal control, or a higher body that needs an answer too."""

    type: ControlType = ControlType.INTERNAL
    body: Line | None = None
    reference: ShortLine | None = None

    @model_validator(mode="after")
    def _body_for_higher_body(self) -> Control:
        if self.type is ControlType.HIGHER_BODY and not self.body:
            raise ValueError("control.body names the higher body for type higher_body")
        return self


class RelatedRef(Input):
    """R-2.3: the earlier appeal this one duplicates or repeats, by its number."""

    relation: Relation
    year: StrictInt = Field(ge=1991, le=2200)
    number: StrictInt = Field(ge=1, le=10_000_000)


class Paper(Input):
    """R-1.4, R-1.6: sheets, attachments and the envelope check of a paper appeal."""

    sheets: StrictInt | None = Field(default=None, ge=0, le=100_000)
    attachments: StrictInt | None = Field(default=None, ge=0, le=100_000)
    envelope_check: EnvelopeCheck | None = None


# Back-dating is for paper that waited in a drawer, not for history: the calendar starts here.
EARLIEST_RECEIPT_YEAR = 2000


class AppealCreate(Input):
    kind: Kind
    form: Form
    channel: Channel
    language: LanguageTag
    text: LongText
    applicants: list[Applicant] = Field(default_factory=list, max_length=1000)
    # §41: index into `applicants` of the one the response goes to (default the first).
    respond_to: StrictInt | None = Field(default=None, ge=0, le=999)
    representative: Representative | None = None
    addressee: Line | None = None
    summary: Paragraph | None = None
    confidential: StrictBool = False
    received_at: IsoMoment | None = None
    control: Control = Field(default_factory=Control)
    related: RelatedRef | None = None
    external_ref: ShortLine | None = None
    paper: Paper | None = None
    violation_learned_on: IsoDate | None = Field(
        default=None,
        description="R-3.5 (§16): for an application or complaint to a higher authority (about "
        "an action, inaction or decision that violates the applicant's rights), the day the "
        "applicant learned of it. Filed more than a year later, the appeal is registered all "
        "the same and flagged `filed_late`.",
    )
    topics: list[TopicCode] = Field(
        default_factory=list,
        max_length=20,
        description="Codes of the classifier of questions (`GET /api/v1/topics`), active ones "
        "(R-13.1); an unknown or retired code is refused (422).",
    )

    @field_validator("topics")
    @classmethod
    def _distinct_topics(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("topics must not repeat")
        return value

    @field_validator("received_at")
    @classmethod
    def _plausible_receipt(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.year < EARLIEST_RECEIPT_YEAR:
            raise ValueError(f"received_at before {EARLIEST_RECEIPT_YEAR} is not plausible")
        return value

    @model_validator(mode="after")
    def _respond_to_in_range(self) -> AppealCreate:
        if self.respond_to is not None and self.respond_to >= len(self.applicants):
            raise ValueError("respond_to must be the index of one of the applicants")
        return self

    @model_validator(mode="after")
    def _learned_of_a_violation(self) -> AppealCreate:
        if self.violation_learned_on is not None and self.kind is Kind.PROPOSAL:
            raise ValueError(
                "violation_learned_on is for an application or complaint to a higher authority "
                "(§16, R-3.5), not a proposal"
            )
        return self


class DeadlineRead(Output):
    rule: str
    clause: str
    start_on: date
    due_on: date
    original_due_on: date
    done_on: date | None
    fixed: bool = Field(description="Set by a manager (extend/shorten, R-3.4).")
    cancelled: bool = Field(description="Closed because the stage no longer applies.")


class ViolationRead(Output):
    """A stage deadline that passed unmet (R-9.4): recorded once, never removed."""

    rule: str
    clause: str
    due_date: date
    recorded_at: Instant
    units: list[str] = Field(description="The units responsible when it was recorded.")
    executors: list[dict[str, object]] = Field(
        description="The executors the resolution named then, if any (unit, name)."
    )


class RelatedRead(Output):
    relation: Relation
    year: int
    number: int
    display: str
    appeal_id: UUID | None
    received_on: date | None


class Checks(Output):
    """What the Appeals Department must check before consideration (R-1.5, R-7.1)."""

    anonymity: bool
    authority_documents_missing: bool = Field(
        description="True when a representative appeals without authority documents (§12, §48): "
        "the department must check the authority (R-7.1). Reads like "
        "`representative.authority_documents` turned round: one of them is true, never both."
    )
    authority_documents: bool = Field(
        deprecated=True,
        description="Deprecated: the same as `authority_documents_missing` (true means the "
        "documents are MISSING, unlike `representative.authority_documents`). Kept for clients "
        "written against it; read `authority_documents_missing`.",
    )


class SearchHit(Output):
    """How an appeal matched `q` (issue 15): its rank and a snippet of its text or summary."""

    rank: float = Field(description="Higher is a better match; the list is ordered by it.")
    snippet: str = Field(
        description="A piece of the text or summary, matched words between « and »; never "
        "personal data."
    )


class AppealRead(Output):
    id: UUID
    number: str
    year: int
    seq: int
    kind: Kind
    form: Form
    channel: Channel
    language: str
    status: Status
    received_at: Instant
    registered_on: date
    due_date: date
    answer_rule: str
    overdue: bool
    completed_on: date | None
    deadlines: list[DeadlineRead]
    violations: list[ViolationRead] = Field(
        default_factory=list,
        description="Every recorded violation of a stage deadline (R-9.4); never removed.",
    )
    text: str
    summary: str | None
    addressee: str | None
    applicants: list[Applicant]
    respond_to: int | None
    representative: Representative | None
    confidential: bool
    personal_data_masked: bool = Field(
        default=False,
        description="A confidential applicant's identity is withheld from this caller (R-8.2).",
    )
    checks: Checks
    control: Control
    related: RelatedRead | None
    external_ref: str | None
    paper: Paper | None
    violation_learned_on: date | None = Field(
        default=None, description="R-3.5 (§16): when the applicant learned of the violation."
    )
    filed_late: bool = Field(
        default=False,
        description="R-3.5 (§16): filed more than a year after `violation_learned_on` (by "
        "calendar date in Tashkent); it may be left without consideration (`late_complaint`) "
        "unless a manager restores the term (`term_restored`).",
    )
    term_restored: dict[str, object] | None = Field(
        default=None,
        description="R-3.5 (§16): the term restored by a manager for a valid reason (by, on, "
        "reason); null if not restored.",
    )
    units: list[str]
    topics: list[str] = Field(
        default_factory=list, description="Codes of its questions in the classifier (R-13.1)."
    )
    outcome: Outcome | None
    disposal: dict[str, object] | None = Field(
        description="How the appeal left consideration other than by an answer (R-7, R-5.2)."
    )
    joined_to: UUID | None = Field(description="The original a duplicate is joined to (R-5.2).")
    on_control: bool = Field(description="Not yet removed from control (§66, R-5.3).")
    control_removed_at: Instant | None
    control_removed_by: str | None
    created_at: Instant
    updated_at: Instant
    directum: DirectumRead | None = Field(
        default=None,
        description="R-4.2: delivery to DIRECTUM of the latest dispatch; null if it went "
        "internally (no DIRECTUM configured) or has not been dispatched.",
    )
    search: SearchHit | None = Field(
        default=None, description="In a list searched with `q`: how this appeal matched."
    )
    reception_id: UUID | None = Field(
        default=None,
        description="R-11.2–11.3: made at a reception: the personal reception's id (channel "
        "`personal_reception`) or the mass reception protocol's (`mass_reception`).",
    )


class AppealCreated(AppealRead):
    tracking_code: str = Field(
        description="Shown once: with the number, it lets the applicant look up the status (R-8.1)."
    )
    similar: list[SimilarAppeal] | None = Field(
        default=None,
        description="Likely duplicates and repeats of this appeal among the applicant's earlier "
        "ones (R-2.3), best first, for a caller who may see applicants (registrar, manager); "
        "null for other callers, or when they could not be found in time.",
    )


class AppealPage(BaseModel):
    items: list[AppealRead]
    next_cursor: str | None
    total: int | None = Field(
        default=None,
        description="How many appeals match over all pages; only with `count=true`, else null."
        " A search (`q`) counts up to 10,000: see `total_exact`.",
    )
    total_exact: bool | None = Field(
        default=None,
        description="With `count=true`: false when a search matched more than `total` (10,000)"
        " and was counted no further; true when `total` is every match.",
    )


class HistoryEntry(Output):
    id: int
    at: Instant
    actor: str
    actor_role: str
    action: str
    changes: dict[str, object]
    note: str | None
    position: int = Field(description="Its place in the appeal's hash chain (R-9.5): 1, 2, 3 …")
    hash: str = Field(description="SHA-256 over the entry before it and this one (R-9.5).")


class HistoryPage(BaseModel):
    items: list[HistoryEntry]
    next_cursor: str | None
