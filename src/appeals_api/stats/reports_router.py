"""HTTP for the quarterly report (R-10.2) and the registration log export (R-2.2)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from appeals_api.auth.dependencies import require
from appeals_api.auth.roles import Principal, Role
from appeals_api.db import SessionDep
from appeals_api.deps import NowDep, SettingsDep, TodayDep
from appeals_api.errors import problem_responses
from appeals_api.stats import export, service
from appeals_api.stats.router import FromDate, Quarter, StatsReader, ToDate, Year
from appeals_api.stats.schemas import COUNTER_DEFINITIONS, COUNTERS, QuarterlyReport

router = APIRouter(prefix="/api/v1/reports", tags=["reports"])

# The registration log names applicants: the Appeals Department and those it reports to.
LogReader = Annotated[Principal, Depends(require(Role.REGISTRAR, Role.SUPERVISOR, Role.MANAGER))]

# R-10.3: the topic rows' own columns, after the counters (empty on the other rows).
TREND_COLUMNS = ("previous_quarter", "change", "units")
REPORT_COLUMNS = ("breakdown", "key", "name", *COUNTERS, *TREND_COLUMNS)
TOPIC_COLUMNS = ("topic", "uz", "uz-Cyrl", "ru", "en", "count", "previous", "change",
                 "recurring", "units")  # fmt: skip
LOG_COLUMNS = ("number", "date_of_receipt", "applicant", "brief_content", "responsible_unit")


def _report_rows(report: QuarterlyReport) -> list[list[object]]:
    none = [None] * len(TREND_COLUMNS)
    rows: list[list[object]] = [
        ["total", None, None, *(getattr(report.totals, c) for c in COUNTERS), *none]
    ]
    for breakdown, items in report.breakdowns.model_dump().items():
        for item in items:
            counters = (item[c] for c in COUNTERS)
            rows.append([breakdown, item["key"], item["name"], *counters, *none])
    for t in report.by_topic:
        name = t.names.uz if t.names else None
        received = [t.count, *(None for _ in COUNTERS[1:])]
        rows.append(["topic", t.topic, name, *received, t.previous, t.change, "; ".join(t.units)])
    return rows


def _topic_rows(report: QuarterlyReport) -> list[list[object]]:
    """R-10.3: the XLSX sheet of the topics, with their names in the four languages."""
    return [
        [
            t.topic,
            *((t.names.uz, t.names.uz_cyrl, t.names.ru, t.names.en) if t.names else [None] * 4),
            t.count,
            t.previous,
            t.change,
            t.recurring,
            "; ".join(t.units),
        ]
        for t in report.by_topic
    ]


def _about(report: QuarterlyReport) -> list[list[object]]:
    period: list[list[object]] = [
        ["year", report.year],
        ["quarter", report.quarter],
        ["from", report.from_],
        ["to", report.to],
        ["as_of", report.as_of],
        [None, None],
    ]
    definitions: list[list[object]] = [[n, t] for n, t in COUNTER_DEFINITIONS.items()]
    return period + definitions


@router.get(
    "/quarterly",
    response_model=QuarterlyReport,
    responses={
        **problem_responses(401, 403, 422),
        200: export.file_responses(
            "JSON; CSV with `format=csv` or `Accept: text/csv`; XLSX with `format=xlsx`."
        ),
    },
    summary="The quarterly report: totals and breakdowns by kind, channel, unit, outcome",
)
async def quarterly_report(
    request: Request,
    session: SessionDep,
    _: StatsReader,
    settings: SettingsDep,
    today: TodayDep,
    year: Year,
    quarter: Quarter,
    format: Annotated[Literal["json", "csv", "xlsx"] | None, Query()] = None,
) -> QuarterlyReport | Response:
    """R-10.2 (§67): the appeals received in the quarter (Tashkent dates): totals, and the same
    counters (see GET /api/v1/stats) by kind, channel, lead unit, outcome and on-time. Every
    kind, channel, outcome and on-time value is listed, zeros included; units with appeals.

    CSV and XLSX hold one table, a row per total or breakdown value: `breakdown` (`total`,
    `kind`, `channel`, `unit`, `outcome`, `on_time`), `key`, `name` (the unit's), then the
    counters; the XLSX adds a sheet with the period and the counters' definitions.

    `by_topic` (R-10.3): per topic the appeals of the quarter and of the previous one, the
    change, whether it recurs, and the lead units concerned; an appeal with two topics counts
    under each. In CSV, rows with `breakdown` `topic` (`received` is the quarter's count, then
    `previous_quarter`, `change`, `units`); in XLSX, the sheet "By topic" with the four names."""
    report = await service.quarterly_report(
        session, settings, year=year, quarter=quarter, today=today
    )
    chosen = export.negotiate(format, request.headers.get("accept"), default="json")
    filename = f"quarterly-report-{year}-Q{quarter}"
    if chosen == "csv":
        return export.csv_response(REPORT_COLUMNS, _report_rows(report), filename=filename)
    if chosen == "xlsx":
        return export.xlsx_response(
            [
                ("Quarterly report", REPORT_COLUMNS, _report_rows(report)),
                ("By topic", TOPIC_COLUMNS, _topic_rows(report)),
                ("About", ("field", "value"), _about(report)),
            ],
            filename=filename,
        )
    return report


@router.get(
    "/registration-log",
    response_class=Response,
    responses={
        **problem_responses(401, 403, 422),
        200: export.file_responses("CSV (default, or `Accept: text/csv`) or XLSX."),
    },
    summary="The registration log (R-2.2) as CSV or XLSX",
)
async def registration_log(
    request: Request,
    session: SessionDep,
    principal: LogReader,
    settings: SettingsDep,
    now: NowDep,
    from_: FromDate,
    to: ToDate,
    format: Annotated[Literal["csv", "xlsx"] | None, Query()] = None,
) -> Response:
    """R-2.2 (§24): the appeals received from `from` to `to` (at most 366 days, 100,000
    appeals), in number order: number, date of receipt, applicant (the individual's full name
    or the legal entity's name; a collective appeal: the first applicant and the count), brief
    content (the summary, else the text's first 200 characters), responsible unit (the lead
    unit's name). A confidential appeal's applicant is masked for the supervisor, and the
    registrar's and manager's reads of it are logged (R-8.2).
    XLSX with `format=xlsx` or an `Accept` naming its media type."""
    entries = await service.registration_log(
        session, settings, from_=from_, to=to, principal=principal, now=now
    )
    rows = [[getattr(e, c) for c in LOG_COLUMNS] for e in entries]
    filename = f"registration-log-{from_.isoformat()}-{to.isoformat()}"
    if export.negotiate(format, request.headers.get("accept"), default="csv") == "xlsx":
        return export.xlsx_response([("Registration log", LOG_COLUMNS, rows)], filename=filename)
    return export.csv_response(LOG_COLUMNS, rows, filename=filename)
