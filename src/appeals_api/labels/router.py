"""`GET /api/v1/labels?lang=`: every code's label in one language, so frontends never hard-code
them (API.md). Public: the labels are the service's vocabulary, nobody's data."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field

from appeals_api import i18n
from appeals_api.errors import problem_responses
from appeals_api.labels.sets import CODE_SETS

router = APIRouter(prefix="/api/v1", tags=["labels"])


class Labels(BaseModel):
    lang: str = Field(description="The language chosen: uz (default), uz-Cyrl, ru or en.")
    labels: dict[str, dict[str, str]] = Field(
        description="Per code set (`kind`, `status`, `action`, `rule`, …): code → label."
    )


@router.get(
    "/labels",
    response_model=Labels,
    responses=problem_responses(422),
    summary="Every code's label in one language (no key)",
)
async def labels(
    request: Request,
    response: Response,
    lang: Annotated[
        str | None,
        Query(
            max_length=35, description="uz (Latin, default), uz-Cyrl, ru, en; else Accept-Language"
        ),
    ] = None,
) -> Labels:
    """API.md: the label of every code JSON carries, in `lang` (or `Accept-Language`)."""
    chosen = i18n.negotiate(lang, request.headers.get("accept-language"))
    t = i18n.translator(chosen)
    response.headers["Content-Language"] = chosen
    response.headers["Vary"] = "Accept-Language"
    return Labels(
        lang=chosen,
        labels={name: {code: t.label(code) for code in codes} for name, codes in CODE_SETS.items()},
    )
