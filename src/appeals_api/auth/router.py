"""HTTP for signed links: an authorised call mints a short-lived link that opens a card, a
letter or a document in a browser without an Authorization header (`links`)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field

from appeals_api import links
from appeals_api.auth.dependencies import require
from appeals_api.auth.roles import APPEAL_READERS, Principal
from appeals_api.deps import NowDep, SettingsDep
from appeals_api.errors import FieldError, Unprocessable, problem_responses
from appeals_api.types import Instant

router = APIRouter(prefix="/api/v1", tags=["links"])

_UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
# What a link may open, and the query its page is opened with (before the link's own).
LINKABLE = (
    (re.compile(rf"/api/v1/appeals/{_UUID}/card"), "format=html"),
    (re.compile(r"/api/v1/letters/[1-9][0-9]{0,18}"), "format=html"),
    (re.compile(rf"/api/v1/documents/{_UUID}/content"), ""),
)


class LinkCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    path: str = Field(
        max_length=200,
        description="What to open: `/api/v1/appeals/{id}/card`, `/api/v1/letters/{id}` or "
        "`/api/v1/documents/{id}/content`.",
    )


class SignedLink(BaseModel):
    url: str
    expires_at: Instant


@router.post(
    "/links",
    response_model=SignedLink,
    responses=problem_responses(401, 403, 422),
    summary="A short-lived signed link that opens a card, a letter or a document in a browser",
)
async def create_link(
    request: Request,
    data: LinkCreate,
    principal: Annotated[Principal, Depends(require(*APPEAL_READERS))],
    settings: SettingsDep,
    now: NowDep,
) -> SignedLink:
    """Valid for `APPEALS_LINK_TTL_SECONDS`, bound to the path and to the caller's key and role:
    the page checks again, as the caller, whether it may be seen (404 outside the caller's
    reach, personal data masked or withheld as for the caller, R-8.2), and the link stops
    working once the key is revoked."""
    query = next((q for pattern, q in LINKABLE if pattern.fullmatch(data.path)), None)
    if query is None:
        raise Unprocessable(
            "A link opens a card, a letter or a document only.",
            [FieldError(field="path", message="not a linkable path", type="value_error")],
        )
    url, exp = links.signed_url(
        str(request.base_url), data.path, query, now=now, ttl_seconds=settings.link_ttl_seconds,
        key_id=principal.id, role=principal.role.value, secret=links.secret_of(settings),
    )  # fmt: skip
    return SignedLink(url=url, expires_at=datetime.fromtimestamp(exp, tz=settings.tz))
