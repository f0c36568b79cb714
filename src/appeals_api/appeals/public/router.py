"""The applicant's status page (R-8.1): `GET /status` the form, `POST /status` the answer.

The code travels in the POST body, never in a URL (so never in logs or browser history). Every
answer is a whole page in the chosen language; a wrong number and a wrong code give the same
message and status, so the page never tells whether a number exists."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse

from appeals_api import i18n
from appeals_api.appeals.public import page, service
from appeals_api.db import SessionDep
from appeals_api.errors import NotFound, TooManyRequests
from appeals_api.state import state_of

router = APIRouter(tags=["public"])

Lang = Annotated[
    str | None,
    Query(
        max_length=35,
        description="uz (Latin, the default), uz-Cyrl, ru or en; unset: Accept-Language.",
    ),
]

_HTML: dict[int | str, dict[str, Any]] = {
    200: {"description": "An HTML page.", "content": {"text/html": {"schema": {"type": "string"}}}}
}
_PAGE = {"text/html": {"schema": {"type": "string"}}}
_ANSWERS: dict[int | str, dict[str, Any]] = {
    **_HTML,
    404: {
        "description": "The form again: no appeal with this number and code (one message).",
        "content": _PAGE,
    },
    422: {"description": "The form again: the number or the code is malformed.", "content": _PAGE},
    429: {
        "description": "The form again: too many attempts from this address (Retry-After).",
        "content": _PAGE,
    },
}


def _html(body: str, lang: str, status: int = 200, **headers: str) -> HTMLResponse:
    return HTMLResponse(body, status, headers={**page.HEADERS, "Content-Language": lang, **headers})


@router.get(
    "/status", response_class=HTMLResponse, responses=_HTML, summary="The applicant's status page"
)
async def status_form(request: Request, lang: Lang = None) -> HTMLResponse:
    """R-8.1: the form (registration number and tracking code) in `?lang=` or Accept-Language."""
    chosen = i18n.negotiate(lang, request.headers.get("accept-language"))
    return _html(page.form_page(chosen), chosen)


@router.post(
    "/status",
    response_class=HTMLResponse,
    responses=_ANSWERS,
    summary="The applicant's status page: the answer to the form",
)
async def status_answer(
    request: Request,
    session: SessionDep,
    number: Annotated[str, Form()] = "",
    code: Annotated[str, Form()] = "",
    chosen_lang: Annotated[str | None, Form(alias="lang")] = None,
    lang: Lang = None,
) -> HTMLResponse:
    """R-8.1: status, stage dates and deadline of the appeal with this number and code, limited
    per client address like the JSON lookup."""
    chosen = i18n.negotiate(chosen_lang or lang, request.headers.get("accept-language"))
    words = i18n.translator(chosen)
    typed = number[:32]
    try:
        await service.limit_lookup(request)
    except TooManyRequests as refused:
        wait = refused.headers["Retry-After"]
        text = words.pgettext("status", "too_many", minutes=-(-int(wait) // 60))
        return _html(page.form_page(chosen, number=typed, message=text), chosen, 429,
                     **{"Retry-After": wait})  # fmt: skip
    year_seq, offered = service.parse_number(typed), service.normalise_code(code[:80])
    if year_seq is None or offered is None:
        key = "bad_number" if year_seq is None else "bad_code"
        text = words.pgettext("status", key)
        return _html(page.form_page(chosen, number=typed, message=text), chosen, 422)
    try:
        found = await service.status_of(
            session, year=year_seq[0], seq=year_seq[1], code=offered,
            tz=state_of(request).settings.tz, lang=chosen,
        )  # fmt: skip
    except NotFound:
        text = words.pgettext("status", "not_found")
        return _html(page.form_page(chosen, number=typed, message=text), chosen, 404)
    return _html(page.result_page(found, code=offered), chosen)
