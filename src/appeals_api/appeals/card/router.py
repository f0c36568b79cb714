"""HTTP for the registration card (Appendix 2, R-2.2): JSON, or a printable page for browsers."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import HTMLResponse
from pydantic import BaseModel

from appeals_api import i18n, links
from appeals_api.appeals.access import Visible, get_visible
from appeals_api.appeals.card import html as card_html
from appeals_api.appeals.card import service as card
from appeals_api.appeals.card.schemas import RegistrationCard
from appeals_api.appeals.privacy import service as privacy
from appeals_api.auth.dependencies import require, require_or_link
from appeals_api.auth.roles import APPEAL_READERS, Principal
from appeals_api.db import SessionDep
from appeals_api.deps import NowDep, SettingsDep
from appeals_api.errors import problem_responses
from appeals_api.negotiation import HTML_MEDIA_TYPE, page_headers, prefers_html

router = APIRouter(prefix="/api/v1/appeals", tags=["appeals"])


CARD_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The card as JSON, or as a printable HTML page when `Accept` prefers "
        "text/html.",
        "content": {HTML_MEDIA_TYPE: {"schema": {"type": "string"}}},
    },
    **problem_responses(401, 403, 404, 422),
}
Lang = Annotated[
    str | None,
    Query(max_length=35, description="uz (Latin, default), uz-Cyrl, ru, en; else Accept-Language"),
]


# The card's readers: a key in the Authorization header, or a signed link one of them minted.
_reader = require(*APPEAL_READERS)
_key_or_link = require_or_link(*APPEAL_READERS)
CARD_PATH = "/api/v1/appeals/{}/card"


async def card_reader(
    session: SessionDep,
    appeal_id: UUID,
    principal: Annotated[Principal, Depends(_key_or_link)],
) -> Visible:
    """A reader by key, or by a signed link (no header): the link's minter, checked again."""
    return Visible(principal, await get_visible(session, appeal_id=appeal_id, principal=principal))


CardReader = Annotated[Visible, Depends(card_reader)]


@router.get(
    "/{appeal_id}/card",
    response_model=RegistrationCard,
    responses=CARD_RESPONSES,
    summary="The appeal's registration card (Appendix 2), JSON or printable HTML",
)
async def get_card(
    request: Request,
    response: Response,
    session: SessionDep,
    seen: CardReader,
    settings: SettingsDep,
    now: NowDep,
    format: Annotated[Literal["json", "html"] | None, Query()] = None,
    lang: Lang = None,
) -> RegistrationCard | HTMLResponse:
    """Both sides of the registration card, with the note on a violated deadline (R-2.2, R-9.3).

    `format=html` (or `Accept: text/html`) gives a self-contained A4 page to print in `lang` (or
    `Accept-Language`): uz (Latin, default), uz-Cyrl, ru, en; anything else gets JSON. A signed
    link (`exp`, `kid`, `sig` from `POST …/card/link`) opens it without an Authorization header.
    """
    principal, appeal = seen.principal, seen.appeal
    personal = privacy.sees_personal_data(principal, appeal)
    registration_card = await card.build_card(
        session, appeal, today=now.astimezone(settings.tz).date(), tz=settings.tz, personal=personal
    )
    await privacy.record_reads(session, principal=principal, appeals=[appeal], via="card", now=now)
    if format == "html" or (format is None and prefers_html(request.headers.get("accept"))):
        chosen = i18n.negotiate(lang, request.headers.get("accept-language"))
        page = card_html.render_html(registration_card, chosen)
        headers = {
            "Vary": "Accept, Accept-Language",
            "Content-Language": chosen,
            **page_headers(card_html.STYLE),
        }
        return HTMLResponse(page, headers=headers)
    response.headers["Vary"] = "Accept"
    return registration_card


class CardLink(BaseModel):
    url: str
    expires_at: datetime


@router.post(
    "/{appeal_id}/card/link",
    response_model=CardLink,
    responses=problem_responses(401, 403, 404, 422),
    summary="A short-lived signed link that opens the printable card in a browser",
)
async def card_link(
    request: Request,
    session: SessionDep,
    principal: Annotated[Principal, Depends(_reader)],
    settings: SettingsDep,
    now: NowDep,
    appeal_id: UUID,
    lang: Lang = None,
) -> CardLink:
    """A link to the card's page (`format=html`) that needs no Authorization header, valid for
    `APPEALS_LINK_TTL_SECONDS` (10 minutes). It is bound to this path and to the caller's key
    and role: it shows what the caller sees (a confidential applicant masked where the caller
    may not see personal data, R-8.2), and stops working once the key is revoked."""
    await get_visible(session, appeal_id=appeal_id, principal=principal)
    chosen = i18n.negotiate(lang, request.headers.get("accept-language"))
    url, exp = links.signed_url(
        str(request.base_url), CARD_PATH.format(appeal_id), f"format=html&lang={chosen}",
        now=now, ttl_seconds=settings.link_ttl_seconds, key_id=principal.id,
        role=principal.role.value, secret=links.secret_of(settings),
    )  # fmt: skip
    return CardLink(url=url, expires_at=datetime.fromtimestamp(exp, tz=settings.tz))
