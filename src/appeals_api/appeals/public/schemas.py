"""What an applicant sees of an appeal with its number and tracking code (R-8.1)."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from appeals_api.appeals.enums import Outcome, Status
from appeals_api.appeals.schemas import Output


class PublicDeadline(Output):
    rule: str
    due_on: date
    done_on: date | None
    rule_label: str = Field(description="The stage in the answer's `language` (R-8.1).")


class PublicStatus(Output):
    """What an applicant sees with number and tracking code: no personal data (R-8.1)."""

    number: str
    status: Status
    received_on: date
    registered_on: date
    due_date: date
    completed_on: date | None
    outcome: Outcome | None
    deadlines: list[PublicDeadline]
    language: str = Field(
        description="The language of the labels: `?lang=`, else Accept-Language, else uz."
    )
    status_label: str = Field(description="`status` in `language`.")
    outcome_label: str | None = Field(description="`outcome` in `language`.")
