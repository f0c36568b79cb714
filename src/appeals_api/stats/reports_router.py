"""HTTP for the quarterly report (R-10.2) and the registration log export (R-2.2)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from appeals_api import export
from appeals_api.auth.dependencies import require
from appeals_api.auth.roles import Principal, Role
from appeals_api.db import SessionDep
from appeals_api.deps import NowDep, SettingsDep, TodayDep
from appeals_api.errors import problem_responses
from appeals_api.export import TranslatorDep
from appeals_api.replica.sessions import ReplicaRoute, ReportSessionDep
from appeals_api.stats import service, tables
from appeals_api.stats.router import FromDate, Quarter, StatsReader, ToDate, Year
from appeals_api.stats.schemas import QuarterlyReport, RegistrationLog

router = APIRouter(prefix="/api/v1/reports", tags=["reports"], route_class=ReplicaRoute)

# The registration log names applicants: the Appeals Department and those it reports to.
LogReader = Annotated[Principal, Depends(require(Role.REGISTRAR, Role.SUPERVISOR, Role.MANAGER))]


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
    session: ReportSessionDep,
    _: StatsReader,
    settings: SettingsDep,
    today: TodayDep,
    t: TranslatorDep,
    year: Year,
    quarter: Quarter,
    format: Annotated[Literal["json", "csv", "xlsx"] | None, Query()] = None,
) -> QuarterlyReport | Response:
    """R-10.2 (§67): the appeals received in the quarter (Tashkent dates): totals, and the same
    counters (see GET /api/v1/stats) by kind, channel, lead unit, outcome and on-time. Every
    kind, channel, outcome and on-time value is listed, zeros included; units with appeals.

    CSV and XLSX hold one table, a row per total or breakdown value: the breakdown, `key` (the
    code), its name (the unit's or topic's name, the code's label), then the counters; the
    XLSX adds a sheet with the period and the counters' definitions. Files are in the reader's
    language (`?lang=`, else `Accept-Language`, else uz): headers, labels, dd.mm.yyyy dates.

    `by_topic` (R-10.3): per topic the appeals of the quarter and of the previous one, the
    change, whether it recurs, and the lead units concerned; an appeal with two topics counts
    under each. In CSV, the topic rows follow (the quarter's count in `received`, then the
    previous quarter's, the change, the units); in XLSX, a sheet of the topics with the four
    names."""
    report = await service.quarterly_report(
        session, settings, year=year, quarter=quarter, today=today
    )
    chosen = export.negotiate(format, request.headers.get("accept"), default="json")
    filename = f"quarterly-report-{year}-Q{quarter}"
    heading, sheets = tables.quarterly(t, report)
    if chosen == "csv":
        return export.csv_response(t, sheets[0], filename=filename)
    if chosen == "xlsx":
        return export.xlsx_response(t, heading, sheets, filename=filename)
    return report


@router.get(
    "/registration-log",
    response_model=RegistrationLog,
    responses={
        **problem_responses(401, 403, 422),
        200: export.file_responses(
            "JSON (default); CSV with `format=csv` or `Accept: text/csv`; XLSX with "
            "`format=xlsx` or an `Accept` naming its media type."
        ),
    },
    summary="The registration log (R-2.2) as JSON, CSV or XLSX",
)
async def registration_log(
    request: Request,
    reads: ReportSessionDep,
    session: SessionDep,
    principal: LogReader,
    settings: SettingsDep,
    now: NowDep,
    t: TranslatorDep,
    from_: FromDate,
    to: ToDate,
    format: Annotated[Literal["json", "csv", "xlsx"] | None, Query()] = None,
) -> RegistrationLog | Response:
    """R-2.2 (§24): the appeals received from `from` to `to` (at most 366 days, 100,000
    appeals), in number order: number, date of receipt, applicant (the individual's full name
    or the legal entity's name; a collective appeal: the first applicant and the count), brief
    content (the summary, else the text's first 200 characters), responsible unit (the lead
    unit's name). A confidential appeal's applicant is masked for the supervisor, and the
    registrar's and manager's reads of it are logged (R-8.2).
    JSON unless a file is asked for: CSV with `format=csv` or `Accept: text/csv`, XLSX with
    `format=xlsx` or an `Accept` naming its media type; in the reader's language (`?lang=`,
    else `Accept-Language`, else uz), dates as dd.mm.yyyy."""
    entries = await service.registration_log(
        session, settings, from_=from_, to=to, principal=principal, now=now, t=t, reads=reads
    )
    chosen = export.negotiate(format, request.headers.get("accept"), default="json")
    if chosen == "json":
        return RegistrationLog(from_=from_, to=to, items=entries)
    table = tables.registration_log(t, entries)
    filename = f"registration-log-{from_.isoformat()}-{to.isoformat()}"
    if chosen == "xlsx":
        heading = export.Heading(t.pgettext("reports", "registration_log"), from_, to)
        return export.xlsx_response(t, heading, [table], filename=filename)
    return export.csv_response(t, table, filename=filename)
