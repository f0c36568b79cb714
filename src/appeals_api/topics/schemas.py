from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StringConstraints

from appeals_api.types import Instant, Paragraph, RequiredLine
from appeals_api.units.schemas import UnitCode

# Two digits per level, a sub-topic's code extends its parent's: `02`, `02.01`.
TOPIC_PATTERN = r"^[0-9]{2}(\.[0-9]{2}){0,3}$"
TopicCode = Annotated[str, StringConstraints(pattern=TOPIC_PATTERN, max_length=32)]
Reason = Annotated[Paragraph, Field(min_length=1)]
Name = Annotated[RequiredLine, StringConstraints(max_length=300)]  # the columns' size


class TopicNames(BaseModel):
    """The topic's name in the four languages of API.md."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    uz: Name = Field(description="Uzbek, Latin script.")
    uz_cyrl: Name = Field(alias="uz-Cyrl", description="Uzbek, Cyrillic script.")
    ru: Name
    en: Name

    def in_language(self, lang: str) -> str:
        """The name in `lang` (uz Latin for any other language)."""
        return {"uz-Cyrl": self.uz_cyrl, "ru": self.ru, "en": self.en}.get(lang, self.uz)


class TopicCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: TopicCode = Field(description="`02.01` is a sub-topic of `02`, which must exist.")
    names: TopicNames
    lead_unit: UnitCode | None = Field(
        default=None, description="Default lead unit, suggested at resolution (R-13.1)."
    )
    confidential: StrictBool = Field(
        default=False, description="Suggest keeping the applicant's identity confidential."
    )


class TopicUpdate(BaseModel):
    """Names and defaults; the code never changes. A field left out stays as it is."""

    model_config = ConfigDict(extra="forbid")

    names: TopicNames | None = None
    lead_unit: UnitCode | None = Field(default=None, description="null clears the default.")
    confidential: StrictBool | None = None


class TopicRetire(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Reason


class TopicRead(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    code: str
    parent: str | None
    names: TopicNames
    lead_unit: str | None
    confidential: bool
    active: bool = Field(description="A retired topic stays on old appeals, not on new ones.")
    retired_at: Instant | None
    retired_reason: str | None
    created_at: Instant


class TopicLabel(BaseModel):
    """A topic as a card prints it."""

    code: str
    names: TopicNames


class TopicList(BaseModel):
    items: list[TopicRead]


class Suggested(BaseModel):
    """What the appeal's topics suggest (R-13.1); never applied by themselves."""

    lead_unit: str | None = Field(description="The first of its topics' default lead units.")
    confidential: bool = Field(description="One of its topics is confidential by default.")
