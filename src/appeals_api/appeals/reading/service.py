"""Reading appeals (R-8.2): one by id in one statement with its reader's key, pages of them,
their history, and the applicant's status lookup (R-8.1)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Protocol

import asyncpg
from sqlalchemy.ext.asyncio import AsyncSession

from appeals_api.appeals import repository as appeals_repository
from appeals_api.appeals.access import NO_SUCH_APPEAL, can_see
from appeals_api.appeals.enums import Channel, Form, Kind, Status
from appeals_api.appeals.models import Appeal, AppealHistory
from appeals_api.appeals.privacy import service as privacy
from appeals_api.appeals.reading import repository
from appeals_api.appeals.reading.fields import Row, to_read
from appeals_api.appeals.reading.sorting import DEFAULT_SORT, Sort, decode_cursor, encode_cursor
from appeals_api.appeals.schemas import (
    AppealPage,
    AppealRead,
    DirectumRead,
    SearchHit,
)
from appeals_api.appeals.search import service as search
from appeals_api.appeals.search.repository import After
from appeals_api.auth.roles import Principal, Role
from appeals_api.auth.service import UNKNOWN_KEY, admitted
from appeals_api.errors import FieldError, NotFound, Unauthorized, Unprocessable


class DispatchStatusSource(Protocol):
    """Where a routed appeal's dispatch status comes from (DIRECTUM, R-4.2). Appeals do not
    know DIRECTUM: `main.create_app` wires its status in, per page of appeals."""

    async def __call__(
        self, session: AsyncSession, appeal_ids: Sequence[uuid.UUID]
    ) -> Mapping[uuid.UUID, DirectumRead]: ...


async def no_dispatch_status(
    session: AsyncSession, appeal_ids: Sequence[uuid.UUID]
) -> Mapping[uuid.UUID, DirectumRead]:
    return {}


@dataclass(frozen=True)
class Viewer:
    """Who reads, and when: what a read depends on beyond the appeal itself."""

    principal: Principal
    now: datetime
    tz: Any
    dispatch_status: DispatchStatusSource = no_dispatch_status

    @property
    def today(self) -> date:
        return self.now.astimezone(self.tz).date()


async def read(
    session: AsyncSession,
    appeal: Appeal | Row,
    viewer: Viewer,
    *,
    via: str,
    deadlines: Sequence[Any] | None = None,
    violations: Sequence[Any] | None = None,
) -> AppealRead:
    """One appeal for this viewer: masked or recorded as read where confidential (R-8.2)."""
    known = {appeal.id: deadlines} if deadlines is not None else None
    found = {appeal.id: violations} if violations is not None else None
    return (await read_many(session, [appeal], viewer, via=via, deadlines=known, violations=found))[
        0
    ]


async def read_many(
    session: AsyncSession,
    appeals: Sequence[Appeal | Row],
    viewer: Viewer,
    *,
    via: str,
    deadlines: Mapping[uuid.UUID, Sequence[Any]] | None = None,
    violations: Mapping[uuid.UUID, Sequence[Any]] | None = None,
) -> list[AppealRead]:
    ids = [a.id for a in appeals]
    if deadlines is None:
        deadlines = await appeals_repository.deadlines_of(session, ids)
    if violations is None:
        violations = await appeals_repository.violations_of(session, ids)
    # Only a routed appeal can have been dispatched: skip the query otherwise.
    routed = [a.id for a in appeals if a.units]
    dispatched = await viewer.dispatch_status(session, routed) if routed else {}
    await privacy.record_reads(
        session, principal=viewer.principal, appeals=appeals, via=via, now=viewer.now
    )
    return [
        shown(
            a, deadlines[a.id], viewer, directum=dispatched.get(a.id), violations=violations[a.id]
        )
        for a in appeals
    ]


def shown(
    appeal: Appeal | Row,
    deadlines: Sequence[Any],
    viewer: Viewer,
    *,
    directum: DirectumRead | None = None,
    violations: Sequence[Any] = (),
) -> AppealRead:
    """The appeal as this viewer may see it: personal data masked unless theirs to see (R-8.2)."""
    return to_read(
        appeal,
        deadlines,
        today=viewer.today,
        tz=viewer.tz,
        directum=directum,
        personal=privacy.sees_personal_data(viewer.principal, appeal),
        violations=violations,
    )


def needs_session(viewer: Viewer, found: ReadById) -> bool:
    """A read by id answers from its one statement, unless it must show the status of a
    dispatch through DIRECTUM or record a read of a confidential applicant (R-8.2)."""
    personal = privacy.sees_personal_data(viewer.principal, found.appeal)
    return found.via_directum or (personal and found.appeal.confidential)


MIN_DATE, MAX_DATE = date(1991, 1, 1), date(2200, 12, 31)


@dataclass(frozen=True)
class ListQuery:
    """A page of the list as asked for: filters (Tashkent dates, inclusive), order, size,
    cursor, and whether to count the matches over all pages."""

    status: Status | None = None
    kind: Kind | None = None
    channel: Channel | None = None
    form: Form | None = None
    unit: str | None = None
    received_from: date | None = None
    received_to: date | None = None
    overdue: bool | None = None
    limit: int = 50
    cursor: str | None = None
    q: str | None = None
    due_from: date | None = None
    due_to: date | None = None
    executor: str | None = None
    phone: str | None = None
    email: str | None = None
    sort: Sort = DEFAULT_SORT
    count: bool = False
    topic: str | None = None

    def check(self) -> None:
        for name in ("received_from", "received_to", "due_from", "due_to"):
            value = getattr(self, name)
            if value is not None and not MIN_DATE <= value <= MAX_DATE:
                raise Unprocessable(
                    f"{name} is out of range",
                    [FieldError(field=name, message="between 1991 and 2200", type="range")],
                )
        for start, end in (("received_from", "received_to"), ("due_from", "due_to")):
            if (
                getattr(self, start)
                and getattr(self, end)
                and getattr(self, start) > getattr(self, end)
            ):
                raise Unprocessable(f"{start} is after {end}")
        if self.q is not None and self.sort is not DEFAULT_SORT:
            raise Unprocessable(
                "A search comes best first: sort does not apply to it.",
                [FieldError(field="sort", message="not with q", type="conflict")],
            )
        if self.phone is not None and not 5 <= len(normal_phone(self.phone)) <= 15:
            raise Unprocessable(
                "phone needs 5 to 15 digits",
                [FieldError(field="phone", message="5 to 15 digits", type="phone")],
            )

    def filter_for(self, principal: Principal, tz: Any) -> repository.ListFilter:
        def start_of(day: date) -> datetime:
            return datetime.combine(day, time.min, tzinfo=tz)

        return repository.ListFilter(
            status=self.status,
            kind=self.kind,
            channel=self.channel,
            form=self.form,
            unit=self.unit,
            received_from=start_of(self.received_from) if self.received_from else None,
            received_before=(
                start_of(self.received_to + timedelta(days=1)) if self.received_to else None
            ),
            overdue=self.overdue,
            # An executor sees only appeals routed to its unit.
            only_unit=principal.unit_code if principal.role is Role.EXECUTOR else None,
            search=search.search_of(self.q, principal) if self.q is not None else None,
            due_from=self.due_from,
            due_to=self.due_to,
            executor=self.executor.strip() if self.executor else None,
            phone=normal_phone(self.phone) if self.phone else None,
            email=self.email.strip().lower() if self.email else None,
            personal_only_public=principal.role not in privacy.CONFIDENTIAL_READERS,
            topic=self.topic,
        )


def normal_phone(phone: str) -> str:
    """A phone as compared: its digits, without Uzbekistan's country code 998."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    return digits[3:] if len(digits) == 12 and digits.startswith("998") else digits


async def list_page(session: AsyncSession, query: ListQuery, viewer: Viewer) -> AppealPage:
    """Appeals in `sort` order (newest number first by default), a keyset page at a time (page
    1,000 costs as page 1); the total over all pages only when asked (it costs a count)."""
    query.check()
    flt = query.filter_for(viewer.principal, viewer.tz)
    if query.q is not None:
        return await _search_page(session, query, flt, viewer)
    rows = await repository.list_appeals(
        session,
        flt,
        after=decode_cursor(query.cursor, query.sort),
        limit=query.limit + 1,
        today=viewer.today,
        sort=query.sort,
    )
    page = rows[: query.limit]
    items = await read_many(
        session,
        [r.appeal for r in page],
        viewer,
        via="list",
        deadlines={r.appeal.id: r.deadlines for r in page},
        violations={r.appeal.id: r.violations for r in page},
    )
    more = len(rows) > query.limit
    total = (
        await repository.count_appeals(session, flt, today=viewer.today) if query.count else None
    )
    return AppealPage(
        items=items,
        next_cursor=encode_cursor(query.sort, page[-1].appeal) if more else None,
        total=total,
        total_exact=None if total is None else True,
    )


# A search counts its matches up to this many: counting the 70,000 appeals a common surname
# matches among a million took seconds (bench/RESULTS.md); "10,000 or more" tells a clerk
# as much.
COUNTED_AT_MOST = 10_000


async def _search_page(
    session: AsyncSession, query: ListQuery, flt: repository.ListFilter, viewer: Viewer
) -> AppealPage:
    """The matches of `q` among the filtered appeals, best first (newest first when they are
    many), a keyset page at a time (the cursor carries the order, the last hit's rank and
    number); `sort` does not apply to them."""
    hits, newest = await repository.search_appeals(
        session,
        flt,
        after=search.decode_cursor(query.cursor),
        limit=query.limit + 1,
        today=viewer.today,
    )
    page = hits[: query.limit]
    items = await read_many(
        session,
        [a.appeal for a, _, _ in page],
        viewer,
        via="search",
        deadlines={a.appeal.id: a.deadlines for a, _, _ in page},
        violations={a.appeal.id: a.violations for a, _, _ in page},
    )
    items = [
        item.model_copy(update={"search": SearchHit(rank=rank, snippet=snippet)})
        for item, (_, rank, snippet) in zip(items, page, strict=True)
    ]
    last = page[-1] if len(hits) > query.limit else None
    total = (
        await repository.count_appeals(session, flt, today=viewer.today, at_most=COUNTED_AT_MOST)
        if query.count
        else None
    )
    return AppealPage(
        items=items,
        next_cursor=search.encode_cursor(
            After(newest=newest, rank=last[1], year=last[0].appeal.year, seq=last[0].appeal.seq)
        )
        if last
        else None,
        total=None if total is None else min(total, COUNTED_AT_MOST),
        total_exact=None if total is None else total <= COUNTED_AT_MOST,
    )


@dataclass(frozen=True)
class ReadById:
    principal: Principal
    appeal: Row
    deadlines: list[Row]
    via_directum: bool  # ever sent through DIRECTUM: its dispatch status is to be shown
    violations: list[Row]


async def read_by_id(
    pool: asyncpg.Pool,
    *,
    key_hash: str,
    allowed: frozenset[Role],
    appeal_id: uuid.UUID,
    now: datetime,
    person: Principal | None = None,
) -> ReadById:
    """The reader's key, the appeal and its deadlines in one statement: 401, 403, or 404 for an
    appeal that does not exist or is outside the reader's reach."""
    row = await repository.read_with_key(
        pool, key_hash=key_hash, person=person, appeal_id=appeal_id, now=now
    )
    if row["principal_id"] is None:
        raise Unauthorized(UNKNOWN_KEY)
    principal = Principal(
        id=row["principal_id"],
        name=row["principal_name"],
        role=Role(row["principal_role"]),
        unit_code=row["principal_unit"],
    )
    admitted(principal, allowed)
    if row["id"] is None:
        raise NotFound(NO_SUCH_APPEAL)
    found = repository.attached(row)
    if not can_see(principal, found.appeal):
        raise NotFound(NO_SUCH_APPEAL)
    return ReadById(
        principal,
        found.appeal,
        found.deadlines,
        via_directum=row["via_directum"],
        violations=found.violations,
    )


async def history(
    session: AsyncSession, *, appeal: Appeal, after: int, limit: int
) -> list[AppealHistory]:
    return await repository.history(session, appeal_id=appeal.id, after=after, limit=limit)
