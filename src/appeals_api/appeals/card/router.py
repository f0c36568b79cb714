"""HTTP for the registration card (Appendix 2, R-2.2): JSON, or a printable page for browsers."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from appeals_api.appeals.access import VisibleAppeal
from appeals_api.appeals.card import html as card_html
from appeals_api.appeals.card import service as card
from appeals_api.appeals.card.schemas import RegistrationCard
from appeals_api.appeals.privacy import service as privacy
from appeals_api.db import SessionDep
from appeals_api.deps import NowDep, SettingsDep
from appeals_api.errors import problem_responses

router = APIRouter(prefix="/api/v1/appeals", tags=["appeals"])

HTML_MEDIA_TYPE = "text/html"
JSON_MEDIA_TYPE = "application/json"

CARD_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The card as JSON, or as a printable HTML page when `Accept` prefers "
        "text/html.",
        "content": {HTML_MEDIA_TYPE: {"schema": {"type": "string"}}},
    },
    **problem_responses(401, 403, 404, 422),
}


def _quality(accept: str, media_type: str) -> float:
    """The q-value `accept` gives `media_type`: that of its most specific matching range."""
    kind = media_type.split("/", 1)[0]
    best: tuple[int, float] = (-1, 0.0)
    for item in accept.split(","):
        media_range, *params = (part.strip() for part in item.split(";"))
        media_range = media_range.lower()
        specificity = {media_type: 2, f"{kind}/*": 1, "*/*": 0}.get(media_range)
        if specificity is None or specificity <= best[0]:
            continue
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    q = 0.0
        best = (specificity, q)
    return best[1]


def prefers_html(accept: str | None) -> bool:
    """HTML only when asked for above JSON: `*/*`, no header or a tie get JSON."""
    if not accept:
        return False
    html_q = _quality(accept, HTML_MEDIA_TYPE)
    return html_q > 0 and html_q > _quality(accept, JSON_MEDIA_TYPE)


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
    seen: VisibleAppeal,
    settings: SettingsDep,
    now: NowDep,
) -> RegistrationCard | HTMLResponse:
    """Both sides of the registration card, with the note on a violated deadline (R-2.2, R-9.3).

    Send `Accept: text/html` for a self-contained page to print; anything else gets JSON.
    """
    principal, appeal = seen.principal, seen.appeal
    personal = privacy.sees_personal_data(principal, appeal)
    registration_card = await card.build_card(
        session, appeal, today=now.astimezone(settings.tz).date(), tz=settings.tz, personal=personal
    )
    await privacy.record_reads(session, principal=principal, appeals=[appeal], via="card", now=now)
    if prefers_html(request.headers.get("accept")):
        return HTMLResponse(card_html.render_html(registration_card), headers={"Vary": "Accept"})
    response.headers["Vary"] = "Accept"
    return registration_card
