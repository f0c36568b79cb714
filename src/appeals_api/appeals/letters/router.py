"""HTTP for letters (R-6.4): an appeal's letters, one letter as JSON, printable HTML or DOCX."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.responses import HTMLResponse

from appeals_api.appeals.access import VisibleAppeal
from appeals_api.appeals.letters import html, service, templates, word
from appeals_api.appeals.letters.schemas import LetterPage, LetterRead
from appeals_api.auth.dependencies import require, require_or_link
from appeals_api.auth.roles import APPEAL_READERS, Principal
from appeals_api.db import SessionDep
from appeals_api.deps import NowDep, SettingsDep
from appeals_api.errors import problem_responses
from appeals_api.negotiation import HTML_MEDIA_TYPE, prefers_html

router = APIRouter(prefix="/api/v1", tags=["letters"])

Caller = Annotated[Principal, Depends(require(*APPEAL_READERS))]
# A letter's page also opens from a signed link (`POST /api/v1/links`), without a header.
KeyOrLink = Annotated[Principal, Depends(require_or_link(*APPEAL_READERS))]
Format = Literal["json", "html", "docx"]

LETTER_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The letter as JSON; a printable A4 page with `format=html` or an "
        "`Accept` preferring text/html; a DOCX with `format=docx`.",
        "content": {
            HTML_MEDIA_TYPE: {"schema": {"type": "string"}},
            word.DOCX_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}},
        },
    },
    **problem_responses(401, 403, 404, 422),
}


@router.get(
    "/appeals/{appeal_id}/letters",
    response_model=LetterPage,
    responses=problem_responses(401, 403, 404, 422),
    summary="Every letter of an appeal, with its text (R-6.4)",
)
async def list_letters(
    session: SessionDep, seen: VisibleAppeal, settings: SettingsDep, now: NowDep
) -> LetterPage:
    """Responses, interim responses and the ways out's letters, in the order they were drafted,
    from the draft on: text, kind, language, addressee, signer, number and dates, state."""
    reader = service.Reader(seen.principal, now, settings.tz)
    return LetterPage(items=await service.letters_of(session, seen.appeal, reader))


def _chosen(format: Format | None, accept: str | None) -> Format:
    """`format=` wins; else an Accept naming DOCX, or preferring HTML to JSON; else JSON."""
    if format:
        return format
    if word.DOCX_MEDIA_TYPE in (accept or "").lower():
        return "docx"
    return "html" if prefers_html(accept) else "json"


@router.get(
    "/letters/{letter_id}",
    response_model=LetterRead,
    responses=LETTER_RESPONSES,
    summary="One letter: JSON, printable HTML (A4) or DOCX, in the letter's language (R-6.4)",
)
async def get_letter(
    request: Request,
    response: Response,
    session: SessionDep,
    principal: KeyOrLink,
    settings: SettingsDep,
    now: NowDep,
    letter_id: Annotated[int, Path(ge=1, le=2**63 - 1)],
    format: Annotated[Format | None, Query()] = None,
) -> LetterRead | Response:
    """The printed letter carries the company's letterhead, its number and date (dd.mm.yyyy),
    the addressee, its text and signer, in uz-Latn, uz-Cyrl, ru or en after its language."""
    chosen = _chosen(format, request.headers.get("accept"))
    found = await service.letter(
        session, letter_id, service.Reader(principal, now, settings.tz), via=f"letter_{chosen}"
    )
    headers = {"Vary": "Accept"}
    if chosen == "json":
        response.headers.update(headers)
        return found.read
    composed = templates.compose(found.read, received_on=found.received_on)
    if chosen == "html":
        headers.update(html.HEADERS)
        return HTMLResponse(html.render(composed), headers=headers)
    headers["Content-Disposition"] = f'attachment; filename="letter-{found.letter.id}.docx"'
    return Response(word.render(composed), media_type=word.DOCX_MEDIA_TYPE, headers=headers)
