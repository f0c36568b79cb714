"""What suggestions answer (R-2.3, issue 15): an appeal that looks like a duplicate or a repeat."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from pydantic import BaseModel, Field

from appeals_api.appeals.enums import Relation, Status
from appeals_api.types import Instant


class SimilarAppeal(BaseModel):
    """An appeal that looks like a duplicate or a repeat of another (R-2.3, §29, §50): the same
    applicant and the same matter. A suggestion: the registrar confirms it with `join`,
    `answer_duplicate`, or a `related` correction (PATCH)."""

    id: UUID
    number: str
    received_at: Instant
    status: Status
    relation: Relation = Field(
        description="`duplicate`: the later one copies the earlier, or came while it was still "
        "being considered in time (§29); `repeat`: it came after the earlier was answered or "
        "its deadline had passed (§50)."
    )
    direction: Literal["earlier", "later"] = Field(
        description="Whether this appeal came before or after the one it is compared with."
    )
    score: float = Field(ge=0, le=1, description="How alike: 1 is the same person and text.")
    reasons: list[Literal["phone", "email", "name", "address", "text"]] = Field(
        description="What matched: the applicant's phone, e-mail, name (across scripts and "
        "spellings), address, and the text."
    )


class SimilarPage(BaseModel):
    items: list[SimilarAppeal]
