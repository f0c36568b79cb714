"""HTTP for reading appeals: one by id or number, lists, history, the applicant's lookup."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Path, Query, Request, Response

from appeals_api import i18n
from appeals_api.appeals import repository
from appeals_api.appeals.access import NO_SUCH_APPEAL, VisibleAppeal, can_see
from appeals_api.appeals.enums import Channel, Form, Kind, Status
from appeals_api.appeals.privacy import service as privacy
from appeals_api.appeals.public import service as public
from appeals_api.appeals.public.router import Lang
from appeals_api.appeals.public.schemas import PublicStatus
from appeals_api.appeals.reading import service
from appeals_api.appeals.reading.sorting import DEFAULT_SORT, Sort
from appeals_api.appeals.reading.viewer import viewer_of
from appeals_api.appeals.schemas import (
    AppealPage,
    AppealRead,
    HistoryEntry,
    HistoryPage,
)
from appeals_api.auth.dependencies import Credentials, require, require_key
from appeals_api.auth.roles import APPEAL_READERS, Principal
from appeals_api.db import SessionDep, open_session, reads_only
from appeals_api.deps import NowDep
from appeals_api.errors import (
    NotFound,
    problem_responses,
)
from appeals_api.rows import from_row
from appeals_api.state import state_of
from appeals_api.topics.schemas import TOPIC_PATTERN

router = APIRouter(prefix="/api/v1", tags=["appeals"])

Reader = Annotated[Principal, Depends(require(*APPEAL_READERS))]
# Read by id checks the key inside its own statement (`reading.repository`).
ReaderKey = Annotated[Credentials, Depends(require_key(*APPEAL_READERS))]


def _list_query(
    status: Status | None = None,
    kind: Kind | None = None,
    channel: Channel | None = None,
    form: Form | None = None,
    unit: Annotated[
        str | None, Query(max_length=64, description="A unit's code (any case)")
    ] = None,
    received_from: Annotated[date | None, Query(description="Tashkent date, inclusive")] = None,
    received_to: Annotated[date | None, Query(description="Tashkent date, inclusive")] = None,
    overdue: bool | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    q: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=200,
            description="Full-text search (issue 15): text, summary, channel reference, letters, "
            "documents' names, and the applicants' names, addresses, phones and e-mails where "
            "the caller may see them (R-8.2). Uzbek Latin and Cyrillic match each other, "
            "Russian word forms match, a name with a typo matches. Results come best first, "
            "each with `search` (rank, snippet); the cursor pages through them.",
        ),
    ] = None,
    due_from: Annotated[date | None, Query(description="Due date, inclusive")] = None,
    due_to: Annotated[date | None, Query(description="Due date, inclusive")] = None,
    executor: Annotated[
        str | None,
        Query(max_length=200, description="A named executor of the resolution in force (any case)"),
    ] = None,
    phone: Annotated[
        str | None,
        Query(
            max_length=64,
            description="An applicant's phone, exactly, by its digits (+998 optional); "
            "confidential appeals only for those who see their applicants (R-8.2)",
        ),
    ] = None,
    email: Annotated[
        str | None,
        Query(
            max_length=254,
            description="An applicant's e-mail, exactly (any case); confidential appeals only "
            "for those who see their applicants (R-8.2)",
        ),
    ] = None,
    sort: Annotated[
        Sort,
        Query(
            description="number, received (instant) or due (date); a leading - is descending. "
            "A cursor continues only the order it came from"
        ),
    ] = DEFAULT_SORT,
    count: Annotated[
        bool, Query(description="true: the page carries `total`, the matches over all pages")
    ] = False,
    topic: Annotated[
        str | None,
        Query(
            pattern=TOPIC_PATTERN,
            description="A topic's code (R-13.2): the appeals carrying it or one of its "
            "sub-topics (`02` matches `02.01`)",
        ),
    ] = None,
) -> service.ListQuery:
    """The list's query parameters, as one value (they are its fields, by name)."""
    unit = unit.upper() if unit else unit  # unit codes are upper case (`eco` is `ECO`)
    return service.ListQuery(**locals())


@router.get(
    "/appeals",
    response_model=AppealPage,
    responses=problem_responses(400, 401, 403, 422),
    summary="Search and list appeals, newest number first",
)
@reads_only
async def list_appeals(
    request: Request,
    session: SessionDep,
    principal: Reader,
    query: Annotated[service.ListQuery, Depends(_list_query)],
) -> AppealPage:
    return await service.list_page(session, query, viewer_of(request, principal))


@router.get(
    "/appeals/by-number/{year}/{number}",
    response_model=AppealRead,
    responses=problem_responses(401, 403, 404, 422),
    summary="Look an appeal up by its registration number",
)
@reads_only
async def get_by_number(
    request: Request,
    session: SessionDep,
    principal: Reader,
    year: Annotated[int, Path(ge=1991, le=2200)],
    number: Annotated[int, Path(ge=1, le=10_000_000)],
) -> AppealRead:
    appeal = await repository.find_by_number(session, year=year, seq=number)
    if appeal is None or not can_see(principal, appeal):
        raise NotFound(NO_SUCH_APPEAL)
    return await service.read(session, appeal, viewer_of(request, principal), via="by_number")


@router.get(
    "/appeals/{appeal_id}",
    response_model=AppealRead,
    responses=problem_responses(401, 403, 404, 422),
    summary="One appeal",
)
@reads_only
async def get_appeal(request: Request, credentials: ReaderKey, appeal_id: UUID) -> Response:
    """The key, the appeal and its deadlines in one statement; a session only where the read
    needs more: the status of a dispatch through DIRECTUM, or a logged read of personal data
    (R-8.2)."""
    found = await service.read_by_id(
        state_of(request).pool,
        key_hash=credentials.key_hash,
        person=credentials.person,
        allowed=credentials.allowed,
        appeal_id=appeal_id,
        now=state_of(request).clock(),
    )
    appeal, viewer = found.appeal, viewer_of(request, found.principal)
    request.state.principal = found.principal
    if service.needs_session(viewer, found):
        async with open_session(request) as session:
            read = await service.read(
                session,
                appeal,
                viewer,
                via="read",
                deadlines=found.deadlines,
                violations=found.violations,
            )
    else:
        read = service.shown(appeal, found.deadlines, viewer, violations=found.violations)
    return Response(
        read.model_dump_json(),
        media_type="application/json",
        headers={"ETag": f'"{appeal.version}"'},
    )


@router.get(
    "/appeals/{appeal_id}/history",
    response_model=HistoryPage,
    responses=problem_responses(400, 401, 403, 404, 422),
    summary="Every change of an appeal: who, when, what",
)
async def get_history(
    session: SessionDep,
    seen: VisibleAppeal,
    now: NowDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    cursor: Annotated[str | None, Query(max_length=18, pattern=r"^\d+$")] = None,
) -> HistoryPage:
    """Every change, oldest first. A correction of a confidential applicant's identity (R-12.2)
    shows its before → after only to those who see personal data, and that read is logged;
    for everyone else it is masked (R-8.2)."""
    rows = await service.history(
        session, appeal=seen.appeal, after=int(cursor) if cursor else 0, limit=limit + 1
    )
    page = rows[:limit]
    personal = privacy.sees_personal_data(seen.principal, seen.appeal)
    items = [
        from_row(
            HistoryEntry,
            h,
            actor=h.actor_name,
            changes=h.changes if personal else privacy.masked_changes(h.changes),
        )
        for h in page
    ]
    if personal and any(privacy.carries_personal_data(h.changes) for h in page):
        await privacy.record_reads(
            session, principal=seen.principal, appeals=[seen.appeal], via="history", now=now
        )
    return HistoryPage(items=items, next_cursor=str(page[-1].id) if len(rows) > limit else None)


public_router = APIRouter(prefix="/api/v1/public", tags=["public"])


@public_router.get(
    "/appeals/{year}/{number}",
    response_model=PublicStatus,
    responses=problem_responses(404, 422, 429),
    summary="The applicant's status lookup (no key; the tracking code from intake)",
)
async def public_status(
    request: Request,
    response: Response,
    session: SessionDep,
    year: Annotated[int, Path(ge=1991, le=2200)],
    number: Annotated[int, Path(ge=1, le=10_000_000)],
    code: Annotated[str, Query(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9-]+$")],
    lang: Lang = None,
) -> PublicStatus:
    """Limited per client address only, so strangers' wrong codes never lock the holder of the
    right one out (R-8.1); the labels follow `?lang=` or Accept-Language."""
    await public.limit_lookup(request)
    chosen = i18n.negotiate(lang, request.headers.get("accept-language"))
    response.headers["Content-Language"] = chosen
    response.headers["Cache-Control"] = "no-store"
    return await public.status_of(
        session, year=year, seq=number, code=code, tz=state_of(request).settings.tz, lang=chosen
    )
