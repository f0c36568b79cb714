"""The registration card of Appendix 2 (R-2.2), both of its sides, as the API returns it."""

from __future__ import annotations

from datetime import date
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, Field

from appeals_api.appeals.enums import (
    Channel,
    ControlType,
    Form,
    Kind,
    LetterKind,
    LetterState,
    MeasureType,
    Outcome,
    Relation,
    Status,
)
from appeals_api.appeals.models import Appeal
from appeals_api.topics.schemas import TopicLabel
from appeals_api.types import Instant


class CardLate(BaseModel):
    """R-3.5 (§16): a complaint to a higher authority filed more than a year after the applicant
    learned of the violation; the term restored by a manager, if it was."""

    violation_learned_on: date
    term_restored_by: str | None
    term_restored_on: date | None

    @classmethod
    def of(cls, appeal: Appeal) -> CardLate | None:
        if not appeal.filed_late or appeal.violation_learned_on is None:
            return None
        restored = appeal.term_restored or {}
        return cls(
            violation_learned_on=appeal.violation_learned_on,
            term_restored_by=restored.get("by"),
            term_restored_on=restored.get("on"),
        )


class CardApplicant(BaseModel):
    type: Literal["individual", "legal_entity"]
    name: str | None = Field(description="Full name, or the legal entity's name.")
    address: str | None


class CardRelated(BaseModel):
    """Duplicate or repeat: the previous appeal's number and date (R-2.3)."""

    relation: Relation
    number: str
    received_on: date | None = Field(description="Unknown when it predates this system.")


class CardControl(BaseModel):
    """Type of control (R-2.4)."""

    type: ControlType
    body: str | None
    reference: str | None


class CardResolution(BaseModel):
    """The resolution (instruction) in force and the manager who signed it (R-4.1)."""

    signed_by: str
    signed_on: date
    instruction: str


class CardUnit(BaseModel):
    code: str
    name: str | None
    lead: bool


class CardExecutor(BaseModel):
    unit: str
    name: str


class CardFront(BaseModel):
    serial_number: str = Field(description="`<seq>/<yy>` (R-2.1).")
    question: str = Field(description="The text of the appeal.")
    topics: list[TopicLabel] = Field(
        default_factory=list,
        description="R-13.1: the question as classified; the printed card names them in its "
        "language above the text.",
    )
    summary: str | None = Field(description="Brief summary of the appeal.")
    applicants: list[CardApplicant]
    address: str | None = Field(description="Address of the applicant answered (§41).")
    representative: str | None
    received_on: date = Field(description="Date of receipt (Tashkent).")
    registration_date: date = Field(
        description="The day the appeal was entered in the registration book (Tashkent)."
    )
    confidential: bool = Field(description="The applicant asked not to be disclosed (§9).")
    identity_withheld: bool = Field(
        description="The applicant's identity is withheld from this reader (R-8.2)."
    )
    registered_on: date = Field(description="The date deadlines count from (R-3.2).")
    applicant_count: int
    form: Form
    sheets: int | None = Field(description="Number of sheets of a paper appeal.")
    attachments: int | None
    channel: Channel = Field(description="Reception form.")
    related: CardRelated | None
    kind: Kind = Field(description="Type of appeal.")
    late_complaint: CardLate | None = Field(
        default=None, description="Filed late under §16 (R-3.5); null if not."
    )
    control: CardControl
    resolution: CardResolution | None
    due_date: date = Field(description="Completion date: the answer deadline in force.")
    original_due_date: date = Field(description="The answer deadline before any extension.")
    units: list[CardUnit] = Field(description="Structural divisions, lead first (§27).")
    executors: list[CardExecutor]


class CardDirection(BaseModel):
    """One direction of the appeal to a unit (R-4.2); earlier resolutions' ones stay (R-4.3)."""

    unit: str
    unit_name: str | None
    lead: bool
    dispatched_on: date | None
    accepted_on: date | None
    accepted_by: str | None
    current: bool = Field(description="False once a later resolution re-routed the appeal.")


class CardDeadlineChange(BaseModel):
    """An extension or shortening of a deadline by a manager (R-3.4)."""

    action: Literal["extend", "shorten"]
    rule: str
    previous_due_date: date
    due_date: date
    by: str
    on: date
    reason: str | None


class CardLetter(BaseModel):
    kind: LetterKind
    state: LetterState
    outcome: Outcome | None
    letter_number: str | None
    sent_on: date | None
    drafted_by: str
    drafted_on: date
    unit_code: str | None = Field(description="The unit that drafted it.")
    signed_by: str | None
    signed_on: date | None
    addressee: str | None
    language: str | None = Field(description="The letter's language (§40).")
    control_letter_number: str | None = Field(description="The answer to a higher body (§44).")


class CardMeasure(BaseModel):
    """A request, hearing, inspection or summons (R-5.1)."""

    type: MeasureType
    held_on: date
    party: str | None
    bodies: list[str] | None = Field(
        default=None, description="A collegial hearing's other bodies and organisations (§23)."
    )
    place: str | None = Field(default=None, description="Where a collegial hearing was held.")
    description: str
    result: str | None
    result_on: date | None
    unit_code: str | None
    recorded_by: str


class CardViolation(BaseModel):
    """One violated stage deadline, as the note words it (R-9.3, R-9.4)."""

    rule: str
    due_date: date
    state: Literal["open", "cancelled", "ended"] = Field(
        description="open: still not done; cancelled: passed unmet when the stage was "
        "cancelled; ended: done (or consideration ended) late."
    )
    ended_on: date | None
    days_late: int = Field(description="As of the card's date when open, else when it ended.")


class CardControlRemoval(BaseModel):
    by: str
    at: Instant
    on: date


class CardReverse(BaseModel):
    directions: list[CardDirection]
    response_letter: CardLetter | None = Field(
        description="The letter that ended consideration (or the response on its way)."
    )
    deadline_changes: list[CardDeadlineChange]
    response_received_on: date | None = Field(
        description="The day the unit's response letter was received (drafted)."
    )
    outcome: Outcome | None
    disposal: dict[str, object] | None = Field(
        description="How the appeal left consideration other than by an answer (R-7, R-5.2)."
    )
    removed_from_control: CardControlRemoval | None
    completed_on: date | None = Field(description="The day consideration ended (R-6.3).")
    violation_note: str | None = Field(
        description="Note on violation of the deadline (R-9.3); null when it was kept."
    )
    violations: list[CardViolation] = Field(
        default_factory=list, description="The note's violations, one per violated stage."
    )
    measures: list[CardMeasure]
    letters: list[CardLetter]


class RegistrationCard(BaseModel):
    """Appendix 2: the registration card of an appeal, front and reverse side (R-2.2)."""

    id: UUID
    number: str
    status: Status
    as_of: date = Field(description="The day the card was drawn up (Tashkent).")
    front: CardFront
    reverse: CardReverse
