"""All SQL of statistics and reports (R-10, R-2.2): each answer is one aggregate statement.

The appeals of the range are read once, in a subquery that derives the group keys (Tashkent
period, lead unit, on-time); the outer query groups them and counts each counter as
`count(*) FILTER (WHERE ...)`, so a request costs one pass over the range's rows, found by the
index on `received_at`.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    Subquery,
    and_,
    case,
    cast,
    func,
    literal_column,
    null,
    or_,
    select,
    text,
)
from sqlalchemy.ext.asyncio import AsyncSession

from appeals_api.appeals.enums import Outcome, Status
from appeals_api.appeals.lifecycle.workflow import OPEN  # consideration has not ended
from appeals_api.appeals.models import Appeal
from appeals_api.appeals.repository import answer_violated
from appeals_api.stats.schemas import COUNTERS
from appeals_api.units.models import Unit

# Group keys of GET /stats, in the order their columns come out.
GROUP_KEYS = (
    "year",
    "quarter",
    "month",
    "kind",
    "channel",
    "form",
    "unit",
    "language",
    "outcome",
    "on_time",
    "topic",
)
# The breakdowns of the quarterly report.
BREAKDOWNS = ("kind", "channel", "unit", "outcome", "on_time")

S = Status
# A final response went out: answered, closed, or a joined duplicate answered with its original.
RESPONDED_STATUSES = (S.ANSWERED, S.CLOSED, S.JOINED)


async def _plan_for_these_dates(session: AsyncSession) -> None:
    """Plan the next statements for their actual range, not a generic one.

    asyncpg prepares each statement; after five runs PostgreSQL may switch to a generic plan
    that knows nothing of the range's width, and on 1,000,000 appeals that plan took a
    quarter's statistics from 45 ms to 135 ms (bench/RESULTS.md). For the transaction only.
    """
    await session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))


def _range(start: datetime, end: datetime) -> ColumnElement[bool]:
    return and_(Appeal.received_at >= start, Appeal.received_at < end)


NO_TOPIC: Any = literal_column("ARRAY[NULL]::varchar[]")


def _each_topic() -> Any:
    """R-13.2: one row per topic an appeal carries (an appeal without one: a null topic)."""
    return func.unnest(
        case((func.cardinality(Appeal.topics) > 0, Appeal.topics), else_=NO_TOPIC)
    ).label("topic")


def _keyed(start: datetime, end: datetime, tz: str, *, per_topic: bool = False) -> Subquery:
    """The range's appeals with their group keys derived once; `per_topic`: once per topic."""
    local = func.timezone(tz, Appeal.received_at)
    violated = answer_violated(Appeal.id)
    topic = _each_topic() if per_topic else null().label("topic")
    return (
        select(
            topic,
            cast(func.extract("year", local), Integer).label("year"),
            func.to_char(local, 'YYYY-"Q"Q').label("quarter"),
            func.to_char(local, "YYYY-MM").label("month"),
            Appeal.kind,
            Appeal.channel,
            Appeal.form,
            # The lead unit (§27): the first of the resolution; NULL while unrouted.
            Appeal.units[1].label("unit"),
            Appeal.language,
            Appeal.outcome,
            # on-time is judged by the day consideration ended: an answer
            # deadline violated once is never on time again, whatever moved afterwards.
            case(
                (Appeal.completed_on.is_(None), "open"),
                (and_(Appeal.completed_on <= Appeal.due_date, ~violated), "on_time"),
                else_="late",
            ).label("on_time"),
            Appeal.status,
            Appeal.completed_on,
            Appeal.due_date,
            violated.label("violated"),
        )
        .where(_range(start, end))
        .subquery("a")
    )


def counter_conditions(s: Subquery, today: date) -> dict[str, ColumnElement[bool] | None]:
    """R-10.1 (policy): what each counter counts; None counts every appeal of the range."""
    c = s.c
    reviewed = and_(c.status.in_(RESPONDED_STATUSES), c.outcome.is_not(None))
    return {
        "received": None,
        "reviewed": reviewed,
        "satisfied": and_(
            reviewed, c.outcome.in_((Outcome.SATISFIED, Outcome.PARTIALLY_SATISFIED))
        ),
        "explained": and_(reviewed, c.outcome == Outcome.EXPLAINED),
        "not_satisfied": and_(reviewed, c.outcome == Outcome.REJECTED),
        "left_without_consideration": c.status == S.LEFT_WITHOUT_CONSIDERATION,
        "terminated": c.status == S.TERMINATED,
        "withdrawn": c.status == S.WITHDRAWN,
        "forwarded": c.status == S.FORWARDED,
        "returned": c.status == S.RETURNED,
        # §29: a duplicate of an answered appeal, answered with a notice (no outcome of its own).
        "answered_as_duplicate": and_(
            c.status == S.JOINED, c.outcome.is_(None), c.completed_on.is_not(None)
        ),
        "open": or_(c.status.in_(OPEN), and_(c.status == S.JOINED, c.completed_on.is_(None))),
        # The appeals domain's rule: an answer deadline violated, or past the deadline
        # in force unanswered, or answered after it.
        "overdue": or_(
            c.violated,
            and_(c.completed_on.is_(None), c.due_date < today),
            c.completed_on > c.due_date,
        ),
    }


def _counters(s: Subquery, today: date) -> list[Any]:
    """The counters the schema documents, in its order, each counted by its condition here."""
    conditions = counter_conditions(s, today)
    return [_count(conditions[name]).label(name) for name in COUNTERS]


def _count(condition: ColumnElement[bool] | None) -> Any:
    return func.count() if condition is None else func.count().filter(condition)


def stats_statement(
    *,
    start: datetime,
    end: datetime,
    group_by: Sequence[str],
    today: date,
    tz: str,
    limit: int,
) -> Select[Any]:
    """GET /stats: the counters per combination of the group keys (none: one row of totals)."""
    s = _keyed(start, end, tz, per_topic="topic" in group_by)
    keys = [s.c[k] for k in group_by]
    stmt = select(*keys, *_counters(s, today))
    if keys:
        stmt = stmt.group_by(*keys).order_by(*(k.asc().nulls_last() for k in keys))
    return stmt.limit(limit)


async def stats(
    session: AsyncSession,
    *,
    start: datetime,
    end: datetime,
    group_by: Sequence[str],
    today: date,
    tz: str,
    limit: int,
) -> list[dict[str, Any]]:
    stmt = stats_statement(start=start, end=end, group_by=group_by, today=today, tz=tz, limit=limit)
    await _plan_for_these_dates(session)
    return [dict(r._mapping) for r in (await session.execute(stmt)).all()]


@dataclass(frozen=True)
class BreakdownRow:
    """One row of a report: `breakdown` None for the totals; `name` is the unit's name."""

    breakdown: str | None
    key: str | None
    name: str | None
    counters: dict[str, int]


def breakdown_statement(
    *, start: datetime, end: datetime, breakdowns: Sequence[str], today: date, tz: str
) -> Select[Any]:
    """The counters per combination of all the breakdowns' keys (at most a few thousand), the
    unit's name joined after counting. The report's totals and each breakdown are sums of
    these rows: one hash aggregate, which PostgreSQL runs in parallel, where GROUPING SETS
    sorted the range once per set and took three times as long (bench/RESULTS.md)."""
    s = _keyed(start, end, tz)
    keys = [s.c[b] for b in breakdowns]
    counted = select(*keys, *_counters(s, today)).group_by(*keys).subquery("g")
    if "unit" not in breakdowns:
        return select(counted)
    return select(counted, Unit.name.label("unit_name")).select_from(
        counted.outerjoin(Unit, Unit.code == counted.c.unit)
    )


async def breakdowns(
    session: AsyncSession,
    *,
    start: datetime,
    end: datetime,
    breakdowns: Sequence[str],
    today: date,
    tz: str,
) -> list[BreakdownRow]:
    """The totals, then each breakdown's rows (in no particular order)."""
    stmt = breakdown_statement(start=start, end=end, breakdowns=breakdowns, today=today, tz=tz)
    await _plan_for_these_dates(session)
    cells = [r._mapping for r in (await session.execute(stmt)).all()]
    totals = dict.fromkeys(COUNTERS, 0)
    sums: dict[str, dict[str | None, dict[str, int]]] = {b: {} for b in breakdowns}
    names: dict[str | None, str | None] = {}
    for cell in cells:
        for c in COUNTERS:
            totals[c] += cell[c]
        for b in breakdowns:
            into = sums[b].setdefault(cell[b], dict.fromkeys(COUNTERS, 0))
            for c in COUNTERS:
                into[c] += cell[c]
        if "unit" in breakdowns:
            names[cell["unit"]] = cell["unit_name"]
    out = [BreakdownRow(breakdown=None, key=None, name=None, counters=totals)]
    for b in breakdowns:
        out += [
            BreakdownRow(
                breakdown=b, key=key, name=names.get(key) if b == "unit" else None, counters=c
            )
            for key, c in sums[b].items()
        ]
    return out


@dataclass(frozen=True)
class TopicTrendRow:
    topic: str | None
    count: int
    previous: int
    units: list[str] | None


async def topic_trends(
    session: AsyncSession, *, previous: datetime, start: datetime, end: datetime
) -> list[TopicTrendRow]:
    """R-10.3: per topic, the appeals received in [start, end) and in [previous, start), and the
    lead units of the former; an appeal counts under each of its topics."""
    t = (
        select(_each_topic(), Appeal.received_at, Appeal.units[1].label("lead"))
        .where(_range(previous, end))
        .subquery("t")
    )
    current = t.c.received_at >= start
    stmt = select(
        t.c.topic,
        func.count().filter(current).label("count"),
        func.count().filter(~current).label("previous"),
        func.array_remove(func.array_agg(t.c.lead.distinct()).filter(current), null()).label(
            "units"
        ),
    ).group_by(t.c.topic)
    await _plan_for_these_dates(session)
    return [TopicTrendRow(**r._mapping) for r in (await session.execute(stmt)).all()]


@dataclass(frozen=True)
class LogRow:
    id: uuid.UUID
    year: int
    seq: int
    received_at: datetime
    applicants: list[dict[str, Any]]
    confidential: bool
    summary: str | None
    text_head: str
    unit_name: str | None


# Enough of the text for a 200-character brief content once whitespace runs are collapsed.
TEXT_HEAD = 2000


async def registration_log(
    session: AsyncSession, *, start: datetime, end: datetime, limit: int
) -> list[LogRow]:
    """R-2.2: the log's fields of the appeals received in the range, in number order."""
    stmt = (
        select(
            Appeal.id,
            Appeal.year,
            Appeal.seq,
            Appeal.received_at,
            Appeal.applicants,
            Appeal.confidential,
            Appeal.summary,
            func.left(Appeal.text, TEXT_HEAD).label("text_head"),
            Unit.name.label("unit_name"),
        )
        .select_from(Appeal)
        .outerjoin(Unit, Unit.code == Appeal.units[1])
        .where(_range(start, end))
        .order_by(Appeal.year, Appeal.seq)
        .limit(limit)
    )
    await _plan_for_these_dates(session)
    return [LogRow(**r._mapping) for r in (await session.execute(stmt)).all()]


_RESOLVED_AT_RECEPTION = text(
    """SELECT count(*) FROM reception_protocol_entries e
    JOIN reception_protocols p ON p.id = e.protocol_id
    WHERE e.resolved_on_the_spot AND p.held_on BETWEEN :first AND :last"""
)


async def resolved_at_reception(session: AsyncSession, first: date, last: date) -> int:
    """R-1.7, §60: the mass receptions' matters resolved on the spot in [first, last]."""
    found = await session.scalar(_RESOLVED_AT_RECEPTION, {"first": first, "last": last})
    return int(found or 0)


_REAL_APPEALS = text(
    """SELECT a.year, count(*) AS n FROM appeals a
    WHERE a.year BETWEEN :first AND :last
      AND EXISTS (SELECT FROM appeal_history h WHERE h.appeal_id = a.id)
    GROUP BY a.year ORDER BY a.year"""
)


async def real_appeals_per_year(session: AsyncSession, *, first: int, last: int) -> dict[int, int]:
    """Appeals of the years `first`..`last` registered through the service (each has a history;
    the seeder writes none)."""
    rows = await session.execute(_REAL_APPEALS, {"first": first, "last": last})
    return {int(r.year): int(r.n) for r in rows}
