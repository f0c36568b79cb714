"""Letters at the edge (R-6.4)."""

from __future__ import annotations

import uuid
from datetime import date

from pydantic import BaseModel, Field

from appeals_api.appeals.enums import LetterKind, LetterState, Outcome
from appeals_api.types import Instant


class LetterRead(BaseModel):
    """A letter of an appeal as drafted, signed and sent (R-6.2, R-6.4)."""

    id: int
    appeal_id: uuid.UUID
    appeal_number: str = Field(description="The appeal's number, e.g. `123/26`.")
    kind: LetterKind
    state: LetterState = Field(description="draft → signed → sent; `returned` for revision.")
    language: str | None = Field(description="The letter's language (§40), a BCP 47 tag.")
    text: str | None = Field(description="The letter's text as drafted.")
    outcome: Outcome | None = Field(description="The response's outcome (R-6.1).")
    grounds: str | None = Field(description="The grounds of a rejection (§39).")
    addressee: str | None = Field(
        description="To whom it goes (§41); withheld (null) from those who may not see a "
        "confidential applicant's identity (R-8.2), except a forwarding letter's body."
    )
    unit_code: str | None = Field(description="The unit that drafted it.")
    drafted_by: str
    drafted_at: Instant
    signed_by: str | None = Field(description="The manager who signed it, where signed.")
    signed_on: date | None
    letter_number: str | None = Field(description="The outgoing number, once sent.")
    sent_on: date | None
    sent_by: str | None
    control_letter_number: str | None = Field(
        description="The number of the answer to a higher body (§44)."
    )


class LetterPage(BaseModel):
    items: list[LetterRead]
