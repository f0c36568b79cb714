"""The body of a correction (R-12.2): the correctable fields, and the reason."""

from __future__ import annotations

from typing import Any

from pydantic import (
    Field,
    PrivateAttr,
    StrictBool,
    StrictInt,
    ValidatorFunctionWrapHandler,
    field_validator,
    model_validator,
)

from appeals_api.appeals.enums import Kind
from appeals_api.appeals.schemas import Applicant, Input, Paper, RelatedRef, Representative
from appeals_api.topics.schemas import TopicCode
from appeals_api.types import LanguageTag, Line, Paragraph, ShortLine

# What the server owns: the identity in the book, the receipt instant and the dates
# counted from it, the state. The essence (`text`) is the record of what was received
# (§24): it is never rewritten; a missing or wrong brief content is corrected in `summary`.
SERVER_OWNED = (
    "id",
    "number",
    "year",
    "seq",
    "received_at",
    "registered_on",
    "status",
    "deadlines",
    "due_date",
    "answer_rule",
    "completed_on",
    "outcome",
    "units",
    "violations",
    "text",
    "form",
    "channel",
    "tracking_code",
)


class AppealCorrection(Input):
    """R-12.2: only the fields sent change; `null` clears an optional one."""

    reason: Paragraph = Field(min_length=1, description="Why the registration data is corrected.")
    applicants: list[Applicant] | None = Field(default=None, max_length=1000)
    respond_to: StrictInt | None = Field(default=None, ge=0, le=999)
    representative: Representative | None = None
    addressee: Line | None = None
    summary: Paragraph | None = None
    kind: Kind | None = None
    language: LanguageTag | None = None
    confidential: StrictBool | None = None
    external_ref: ShortLine | None = None
    paper: Paper | None = None
    related: RelatedRef | None = Field(
        default=None,
        description="R-2.3: the earlier appeal this one duplicates or repeats, e.g. a suggestion "
        "of `GET /appeals/{id}/similar` the registrar confirmed.",
    )

    topics: list[TopicCode] | None = Field(
        default=None,
        min_length=1,
        max_length=20,
        description="R-13.1: the appeal's topics (codes of the classifier), replacing the ones "
        "it has; a retired topic it already carries may stay, none may be added.",
    )

    _server_owned: list[str] = PrivateAttr(default_factory=list)

    @field_validator("topics")
    @classmethod
    def _distinct_topics(cls, value: list[str] | None) -> list[str] | None:
        if value is not None and len(set(value)) != len(value):
            raise ValueError("topics must not repeat")
        return value

    @model_validator(mode="wrap")
    @classmethod
    def _set_aside_server_owned(cls, data: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        """A field the server owns is named in a 422 of its own (R-12.2), not as unknown."""
        owned = [k for k in SERVER_OWNED if isinstance(data, dict) and k in data]
        if owned:
            data = {k: v for k, v in data.items() if k not in owned}
        model = handler(data)
        model._server_owned = owned
        return model

    @property
    def server_owned(self) -> list[str]:
        return self._server_owned

    def corrected(self) -> dict[str, Any]:
        """The fields sent, as the appeal's columns store them (as intake stores them)."""
        out: dict[str, Any] = {}
        for name in self.model_fields_set - {"reason"}:
            value = getattr(self, name)
            if name == "applicants":
                value = [a.model_dump(mode="json", exclude_none=True) for a in value or []]
            elif name in ("representative", "paper", "related") and value is not None:
                value = value.model_dump(mode="json", exclude_none=True)
            out[name] = list(value) if name == "topics" else value
        return out
