"""The statistics' reports as tables in the reader's language (R-2.2, R-10.1–R-10.3).

Headers are the columns' names in the language; a breakdown's value keeps its code in `key` and
prints its label in `name` (a unit's or topic's name, a kind's or channel's label)."""

from __future__ import annotations

from collections.abc import Sequence

from appeals_api.export import Heading, Table
from appeals_api.i18n import LANGUAGES, Translator
from appeals_api.stats.schemas import (
    COUNTERS,
    LogEntry,
    QuarterlyReport,
    ReportRow,
    StatsAnswer,
)

# R-10.3: the topic rows' own columns, after the counters (empty on the other rows).
TREND_COLUMNS = ("previous_quarter", "change", "units")
REPORT_COLUMNS = ("breakdown", "key", "name", *COUNTERS, *TREND_COLUMNS)
TOPIC_COLUMNS = ("topic", *LANGUAGES, "count", "previous", "change", "recurring", "units")
LOG_COLUMNS = ("number", "date_of_receipt", "applicant", "brief_content", "responsible_unit")
ABOUT_FIELDS = ("year", "quarter", "from", "to", "as_of")


def capital(text: str) -> str:
    """A label as a header or a row's title starts: «вид обращения» → «Вид обращения»."""
    return text[:1].upper() + text[1:]


def headers(t: Translator, columns: Sequence[str]) -> list[str]:
    """The columns' names; a language's column is named by the language."""
    return [
        capital(t.pgettext("language", c)) if c in LANGUAGES else t.pgettext("column", c)
        for c in columns
    ]


def absent(t: Translator, key: str) -> str:
    """What a key's empty value reads as: no outcome, not routed, no topic."""
    if key == "outcome":
        return t.pgettext("reports", "no_outcome")
    if key == "unit":
        return t.pgettext("reports", "not_routed")
    if key == "topic":
        return t.pgettext("reports", "no_topic")
    return t.pgettext("reports", "none")


def key_label(t: Translator, breakdown: str, key: str | None, name: str | None) -> str:
    """What a breakdown's value reads as: the unit's name, the code's label, or its absence."""
    if breakdown == "unit":
        return name or absent(t, "unit")
    if key is None:
        return absent(t, breakdown)
    if breakdown == "on_time":
        return t.pgettext("on_time", key)
    return t.label(key)


def _breakdown_rows(t: Translator, breakdown: str, items: list[ReportRow]) -> list[list[object]]:
    none = [None] * len(TREND_COLUMNS)
    title = capital(t.pgettext("breakdown", breakdown))
    return [
        [
            title,
            item.key,
            key_label(t, breakdown, item.key, item.name),
            *(getattr(item, c) for c in COUNTERS),
            *none,
        ]
        for item in items
    ]


def report_rows(t: Translator, report: QuarterlyReport) -> list[list[object]]:
    """R-10.2: the totals, a row per breakdown value, then (R-10.3) a row per topic."""
    total = t.pgettext("breakdown", "total")
    totals = (getattr(report.totals, c) for c in COUNTERS)
    rows: list[list[object]] = [[total, None, total, *totals, *[None] * len(TREND_COLUMNS)]]
    for breakdown in type(report.breakdowns).model_fields:
        rows += _breakdown_rows(t, breakdown, getattr(report.breakdowns, breakdown))
    topic = capital(t.pgettext("breakdown", "topic"))
    for r in report.by_topic:
        name = r.names.in_language(t.lang) if r.names else absent(t, "topic")
        received = [r.count, *(None for _ in COUNTERS[1:])]
        rows.append([topic, r.topic, name, *received, r.previous, r.change, "; ".join(r.units)])
    return rows


def topic_rows(t: Translator, report: QuarterlyReport) -> list[list[object]]:
    """R-10.3: the sheet of the topics, with their names in the four languages."""
    return [
        [
            r.topic or absent(t, "topic"),
            *((r.names.uz, r.names.uz_cyrl, r.names.ru, r.names.en) if r.names else [None] * 4),
            r.count,
            r.previous,
            r.change,
            r.recurring,
            "; ".join(r.units),
        ]
        for r in report.by_topic
    ]


def about_rows(t: Translator, report: QuarterlyReport) -> list[list[object]]:
    """The period, then each counter's name and definition (policy, R-10.1)."""
    values = (report.year, report.quarter, report.from_, report.to, report.as_of)
    period: list[list[object]] = [
        [t.pgettext("column", f), v] for f, v in zip(ABOUT_FIELDS, values, strict=True)
    ]
    definitions: list[list[object]] = [
        [t.pgettext("column", c), t.pgettext("definition", c)] for c in COUNTERS
    ]
    return [*period, [None, None], *definitions]


def quarterly(t: Translator, report: QuarterlyReport) -> tuple[Heading, list[Table]]:
    heading = Heading(t.pgettext("reports", "quarterly"), report.from_, report.to)
    return heading, [
        Table(
            t.pgettext("reports", "quarterly_sheet"),
            headers(t, REPORT_COLUMNS),
            report_rows(t, report),
        ),
        Table(
            t.pgettext("reports", "by_topic_sheet"),
            headers(t, TOPIC_COLUMNS),
            topic_rows(t, report),
        ),
        Table(
            t.pgettext("reports", "about_sheet"),
            headers(t, ("field", "value")),
            about_rows(t, report),
        ),
    ]


def registration_log(t: Translator, entries: Sequence[LogEntry]) -> Table:
    """R-2.2: the log's five columns, dates as dd.mm.yyyy."""
    rows = [[getattr(e, c) for c in LOG_COLUMNS] for e in entries]
    return Table(t.pgettext("reports", "registration_log_sheet"), headers(t, LOG_COLUMNS), rows)


def stats(t: Translator, answer: StatsAnswer) -> Table:
    """R-10.1: the group-by keys (labelled) then the counters, one row per group."""
    keys = answer.group_by
    rows = [
        [
            *(_group_value(t, k, getattr(row, k)) for k in keys),
            *(getattr(row, c) for c in COUNTERS),
        ]
        for row in answer.rows
    ]
    return Table(t.pgettext("reports", "stats_sheet"), headers(t, [*keys, *COUNTERS]), rows)


def _group_value(t: Translator, key: str, value: object) -> object:
    """A group-by key's value as read: codes as labels, a month as mm.yyyy; years, quarters
    and units as they are."""
    if key in ("kind", "channel", "form", "outcome", "on_time", "language"):
        if value is None:
            return absent(t, key)
        if key == "on_time":
            return t.pgettext("on_time", str(value))
        if key == "language":
            return t.pgettext("language", str(value))
        return t.label(str(value))
    if value is None and key in ("unit", "topic"):
        return absent(t, key)
    if key == "month" and isinstance(value, str):
        year, _, month = value.partition("-")
        return f"{month}.{year}"  # as offices write it: 07.2025
    return value
