"""Statistics (R-10.1), the quarterly report and its public summary (R-10.2), the registration
log (R-2.2): ranges and keys checked here, counted by one aggregate in the repository."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from appeals_api.appeals.enums import Channel, Kind, Outcome
from appeals_api.appeals.models import Appeal
from appeals_api.appeals.numbering import display_number
from appeals_api.appeals.privacy import service as privacy
from appeals_api.auth.roles import Principal
from appeals_api.calendar.rules import add_months
from appeals_api.config import Settings
from appeals_api.errors import FieldError, Unprocessable
from appeals_api.i18n import Translator
from appeals_api.stats import disclosure, repository
from appeals_api.stats.schemas import (
    COUNTERS,
    PUBLIC_COUNTERS,
    Breakdowns,
    Counters,
    LogEntry,
    PublicBreakdowns,
    PublicCounters,
    PublicRow,
    PublicSummary,
    QuarterlyReport,
    ReportRow,
    StatsAnswer,
    StatsRow,
    TopicTrend,
)
from appeals_api.topics import service as topics

MIN_DATE, MAX_DATE = date(1991, 1, 1), date(2200, 12, 31)
MAX_STATS_YEARS = 10
MAX_STATS_ROWS = 20_000
MAX_LOG_DAYS = 366
MAX_LOG_ROWS = 100_000
BRIEF_CONTENT_CHARS = 200
ON_TIME_VALUES = ("on_time", "late", "open")


def _invalid(field: str, message: str) -> Unprocessable:
    return Unprocessable(message, [FieldError(field=field, message=message, type="range")])


def check_range(from_: date, to: date, *, max_days: int | None = None) -> None:
    """Inclusive Tashkent dates, in order, within the calendar; at most ten years (or days)."""
    for name, value in (("from", from_), ("to", to)):
        if not MIN_DATE <= value <= MAX_DATE:
            raise _invalid(name, f"{name} must be between {MIN_DATE} and {MAX_DATE}")
    if to < from_:
        raise _invalid("to", "to is before from")
    if max_days is not None and (to - from_).days + 1 > max_days:
        raise _invalid("to", f"the range is longer than {max_days} days")
    if add_months(from_, 12 * MAX_STATS_YEARS) <= to:
        raise _invalid("to", f"the range is longer than {MAX_STATS_YEARS} years")


def parse_group_by(values: Iterable[str]) -> list[str]:
    """`kind,channel` or repeated parameters; each key once, from the known keys."""
    keys = [k.strip() for v in values for k in v.split(",") if k.strip()]
    unknown = [k for k in keys if k not in repository.GROUP_KEYS]
    if unknown:
        raise _invalid(
            "group_by",
            f"unknown group key {unknown[0]!r}; known: {', '.join(repository.GROUP_KEYS)}",
        )
    if len(set(keys)) != len(keys):
        raise _invalid("group_by", "a group key is named twice")
    return keys


def instants(from_: date, to: date, settings: Settings) -> tuple[datetime, datetime]:
    """[start of `from_`, start of the day after `to`) in Tashkent, as instants."""
    start = datetime.combine(from_, time.min, tzinfo=settings.tz)
    return start, datetime.combine(to + timedelta(days=1), time.min, tzinfo=settings.tz)


async def stats(
    session: AsyncSession,
    settings: Settings,
    *,
    from_: date,
    to: date,
    group_by: Sequence[str],
    today: date,
) -> StatsAnswer:
    """R-10.1: the counters per group of appeals received in [from, to]."""
    check_range(from_, to)
    start, end = instants(from_, to, settings)
    rows = await repository.stats(
        session,
        start=start,
        end=end,
        group_by=group_by,
        today=today,
        tz=settings.timezone,
        limit=MAX_STATS_ROWS + 1,
    )
    if len(rows) > MAX_STATS_ROWS:
        raise _invalid(
            "group_by",
            f"more than {MAX_STATS_ROWS} groups: narrow the range or group by fewer keys",
        )
    return StatsAnswer(
        from_=from_,
        to=to,
        group_by=list(group_by),
        as_of=today,
        rows=[StatsRow(**r) for r in rows],
        resolved_at_reception=await repository.resolved_at_reception(session, from_, to),
    )


def quarter_dates(year: int, quarter: int) -> tuple[date, date]:
    first = date(year, 3 * quarter - 2, 1)
    return first, add_months(first, 3) - timedelta(days=1)


def _ordered_keys(breakdown: str, found: Iterable[str | None]) -> list[str | None]:
    """Every value of a fixed list, zeros included, in its order; others (units) sorted."""
    fixed: dict[str, Sequence[str | None]] = {
        "kind": [k.value for k in Kind],
        "channel": [c.value for c in Channel],
        "outcome": [*(o.value for o in Outcome), None],
        "on_time": ON_TIME_VALUES,
    }
    base = list(fixed.get(breakdown, []))
    extra = sorted({k for k in found if k not in base}, key=lambda k: (k is None, k or ""))
    return base + extra


async def _report_rows(
    session: AsyncSession,
    settings: Settings,
    *,
    year: int,
    quarter: int,
    breakdowns: Sequence[str],
    today: date,
) -> tuple[dict[str, int], dict[str, list[tuple[str | None, str | None, dict[str, int]]]]]:
    start, end = instants(*quarter_dates(year, quarter), settings)
    rows = await repository.breakdowns(
        session, start=start, end=end, breakdowns=breakdowns, today=today, tz=settings.timezone
    )
    zero = dict.fromkeys(COUNTERS, 0)
    totals = next((r.counters for r in rows if r.breakdown is None), zero)
    out: dict[str, list[tuple[str | None, str | None, dict[str, int]]]] = {}
    for b in breakdowns:
        found = {r.key: r for r in rows if r.breakdown == b}
        out[b] = [
            (key, found[key].name, found[key].counters) if key in found else (key, None, zero)
            for key in _ordered_keys(b, found)
        ]
    return totals, out


async def quarterly_report(
    session: AsyncSession, settings: Settings, *, year: int, quarter: int, today: date
) -> QuarterlyReport:
    """R-10.2 (§67): the quarter's totals and its breakdowns, from one aggregate."""
    from_, to = quarter_dates(year, quarter)
    totals, parts = await _report_rows(
        session,
        settings,
        year=year,
        quarter=quarter,
        breakdowns=repository.BREAKDOWNS,
        today=today,
    )
    breakdowns = {
        b: [ReportRow(key=key, name=name, **counters) for key, name, counters in rows]
        for b, rows in parts.items()
    }
    return QuarterlyReport(
        year=year,
        quarter=quarter,
        from_=from_,
        to=to,
        as_of=today,
        totals=Counters(**totals),
        breakdowns=Breakdowns(**breakdowns),
        by_topic=await _by_topic(session, settings, year=year, quarter=quarter),
    )


async def _by_topic(
    session: AsyncSession, settings: Settings, *, year: int, quarter: int
) -> list[TopicTrend]:
    """R-10.3: each topic's count in the quarter and the previous one, and its lead units."""
    before = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
    previous, _ = instants(*quarter_dates(*before), settings)
    start, end = instants(*quarter_dates(year, quarter), settings)
    rows = await repository.topic_trends(session, previous=previous, start=start, end=end)
    codes = [r.topic for r in rows if r.topic is not None]
    names = {label.code: label.names for label in await topics.labels(session, codes)}
    rows.sort(key=lambda r: (r.topic is None, r.topic or ""))
    return [
        TopicTrend(
            topic=r.topic,
            names=names.get(r.topic) if r.topic else None,
            count=r.count,
            previous=r.previous,
            change=r.count - r.previous,
            recurring=r.count > 0 and r.previous > 0,
            units=r.units or [],
        )
        for r in rows
    ]


PUBLIC_BREAKDOWNS = ("kind", "channel", "on_time")


def _public_identities(rows: dict[str, list[str]]) -> list[disclosure.Identity]:
    """The sums a reader can form from the summary: each breakdown adds up to the totals,
    reviewed is split by outcome, and an appeal answered late is overdue by definition."""
    identities: list[disclosure.Identity] = []
    for names in rows.values():
        for c in PUBLIC_COUNTERS:
            identities.append((("total", c), [(n, c) for n in names]))
    for name in ["total", *(n for names in rows.values() for n in names)]:
        parts = [(name, c) for c in ("satisfied", "explained", "not_satisfied")]
        identities.append(((name, "reviewed"), parts))
    identities.append((("on_time:late", "received"), [("on_time:late", "overdue")]))
    return identities


def _published(row: str, counters: dict[str, int], hidden: set[disclosure.Cell]) -> dict[str, Any]:
    """A row's public counters: a withheld one is null, and named in `suppressed`."""
    cells: dict[str, Any] = {
        c: None if (row, c) in hidden else counters[c] for c in PUBLIC_COUNTERS
    }
    cells["suppressed"] = [c for c in PUBLIC_COUNTERS if (row, c) in hidden]
    return cells


async def public_summary(
    session: AsyncSession, settings: Settings, *, year: int, quarter: int, today: date
) -> PublicSummary:
    """R-10.2: aggregates only; counts below the policy threshold withheld (R-8)."""
    from_, to = quarter_dates(year, quarter)
    totals, parts = await _report_rows(
        session, settings, year=year, quarter=quarter, breakdowns=PUBLIC_BREAKDOWNS, today=today
    )
    names = {b: [f"{b}:{key}" for key, _, _ in rows] for b, rows in parts.items()}
    counts: dict[str, dict[str, int]] = {"total": totals}
    for b, rows in parts.items():
        for name, (_, _, counters) in zip(names[b], rows, strict=True):
            counts[name] = counters
    values = {(row, c): counts[row][c] for row in counts for c in PUBLIC_COUNTERS}
    hidden = disclosure.withheld(
        values, _public_identities(names), min_cell=settings.public_summary_min_cell
    )
    published = {row: _published(row, counters, hidden) for row, counters in counts.items()}
    breakdowns = {
        b: [
            PublicRow(key=key, **published[name])
            for name, (key, _, _) in zip(names[b], rows, strict=True)
        ]
        for b, rows in parts.items()
    }
    return PublicSummary(
        year=year,
        quarter=quarter,
        from_=from_,
        to=to,
        as_of=today,
        min_cell=settings.public_summary_min_cell,
        totals=PublicCounters(**published["total"]),
        breakdowns=PublicBreakdowns(**breakdowns),
    )


def _person(applicant: dict[str, Any]) -> str:
    if applicant.get("type") == "legal_entity":
        return str(applicant.get("name") or "").strip()
    parts = (applicant.get(k) for k in ("last_name", "first_name", "patronymic"))
    return " ".join(str(p).strip() for p in parts if p and str(p).strip())


def applicant_label(t: Translator, applicants: Sequence[dict[str, Any]]) -> str:
    """R-2.2: the individual's full name or the entity's name; collective: the first + count."""
    if not applicants:
        return t.gettext("(no applicant named)")
    first = _person(applicants[0]) or t.gettext("(no name given)")
    if len(applicants) > 1:
        return t.gettext(
            "{first} (collective appeal, {count} applicants)", first=first, count=len(applicants)
        )
    return first


_SPACES = re.compile(r"\s+")


def brief_content(summary: str | None, text: str) -> str:
    """The brief summary if there is one, else the first 200 characters of the text."""
    chosen = summary if summary and summary.strip() else text
    return _SPACES.sub(" ", chosen).strip()[:BRIEF_CONTENT_CHARS]


async def registration_log(
    session: AsyncSession,
    settings: Settings,
    *,
    from_: date,
    to: date,
    principal: Principal,
    now: datetime,
    t: Translator,
    reads: AsyncSession | None = None,
) -> list[LogEntry]:
    """R-2.2 (§24): the log of the appeals received in [from, to], in number order; a
    confidential applicant is masked for those who may not see it, and logged for those who
    may (R-8.2). Read from `reads` (the replica's session) if given; the log is written in
    `session`."""
    check_range(from_, to, max_days=MAX_LOG_DAYS)
    start, end = instants(from_, to, settings)
    rows = await repository.registration_log(
        reads or session, start=start, end=end, limit=MAX_LOG_ROWS + 1
    )
    if len(rows) > MAX_LOG_ROWS:
        raise _invalid("to", f"more than {MAX_LOG_ROWS} appeals: export a shorter range")
    sees_names = principal.role in privacy.CONFIDENTIAL_READERS
    entries = [
        LogEntry(
            number=display_number(r.year, r.seq),
            date_of_receipt=r.received_at.astimezone(settings.tz).date(),
            applicant=(
                t.gettext("(confidential)")
                if r.confidential and not sees_names
                else applicant_label(t, r.applicants)
            ),
            brief_content=brief_content(r.summary, r.text_head),
            responsible_unit=r.unit_name,
        )
        for r in rows
    ]
    confidential = [Appeal(id=r.id, confidential=True) for r in rows if r.confidential]
    await privacy.record_reads(
        session, principal=principal, appeals=confidential, via="registration_log", now=now
    )
    return entries
