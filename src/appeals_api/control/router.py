"""HTTP for control: the report of overdue and soon-due stages (R-9.2), as JSON, CSV or XLSX."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from appeals_api import export
from appeals_api.auth.dependencies import require
from appeals_api.auth.roles import Principal, Role
from appeals_api.control import service
from appeals_api.control.schemas import ControlGroup, ControlReport, ControlRow
from appeals_api.deps import SettingsDep, TodayDep
from appeals_api.errors import problem_responses
from appeals_api.export import TranslatorDep
from appeals_api.i18n import Translator
from appeals_api.replica.sessions import ReplicaRoute, ReportSessionDep

router = APIRouter(prefix="/api/v1/reports", tags=["control"], route_class=ReplicaRoute)

MAX_ROWS = 50_000
CSV_COLUMNS = [
    "unit",
    "executor",
    "number",
    "status",
    "rule",
    "due_on",
    "lead",
    "overdue",
    "days_overdue",
    "working_days_left",
    "appeal_id",
]


@router.get(
    "/control",
    response_model=ControlReport,
    responses={
        **problem_responses(401, 403, 422),
        200: export.file_responses(
            "JSON; CSV with `format=csv` or `Accept: text/csv`; XLSX with `format=xlsx` or an "
            "`Accept` naming its media type, in the reader's language."
        ),
    },
    summary="Overdue and soon-due stages per unit and executor (R-9.2)",
)
async def control_report(
    request: Request,
    session: ReportSessionDep,
    _: Annotated[Principal, Depends(require(Role.SUPERVISOR, Role.MANAGER, Role.REGISTRAR))],
    settings: SettingsDep,
    today: TodayDep,
    t: TranslatorDep,
    soon: Annotated[
        int, Query(ge=0, le=30, description="Working days ahead that count as due soon")
    ] = 3,
    format: Annotated[Literal["json", "csv", "xlsx"] | None, Query()] = None,
) -> Response | ControlReport:
    """No personal data: numbers, units, executors named in resolutions, stages and dates.
    Files (CSV, XLSX) are in the reader's language (`?lang=`, else `Accept-Language`, else
    uz): the columns' names, statuses and deadlines as labels, yes/no, dd.mm.yyyy."""
    rows = await service.control_rows(session, settings, today=today, soon=soon, limit=MAX_ROWS + 1)
    truncated = len(rows) > MAX_ROWS
    rows = rows[:MAX_ROWS]
    chosen = export.negotiate(format, request.headers.get("accept"), default="json")
    if chosen != "json":
        return _file(t, chosen, rows, today=today)
    return ControlReport(
        as_of=today, soon_working_days=soon, groups=_groups(rows), rows=rows, truncated=truncated
    )


def _groups(rows: list[ControlRow]) -> list[ControlGroup]:
    """Per unit and executor: how many stages are overdue, how many due soon."""
    counts: Counter[tuple[str, str | None, bool]] = Counter(
        (r.unit, r.executor, r.overdue) for r in rows
    )
    keys = sorted({(u, e) for u, e, _ in counts}, key=lambda k: (k[0], k[1] or ""))
    return [
        ControlGroup(
            unit=u, executor=e, overdue=counts[(u, e, True)], due_soon=counts[(u, e, False)]
        )
        for u, e in keys
    ]


def _table(t: Translator, rows: list[ControlRow]) -> export.Table:
    header = [t.pgettext("column", c) for c in CSV_COLUMNS]
    values = [[_value(t, c, getattr(row, c)) for c in CSV_COLUMNS] for row in rows]
    return export.Table(t.pgettext("reports", "control_sheet"), header, values)


def _value(t: Translator, column: str, value: object) -> object:
    if column in ("status", "rule"):
        return t.label(str(value))
    if column == "unit" and value == service.UNROUTED:
        return t.pgettext("reports", "not_routed")
    return str(value) if column == "appeal_id" else value


def _file(t: Translator, chosen: str, rows: list[ControlRow], *, today: date) -> Response:
    """The rows as CSV or XLSX; the XLSX's period runs over the due dates shown and today."""
    table = _table(t, rows)
    if chosen == "csv":
        return export.csv_response(t, table, filename="control-report")
    dates = [today, *(r.due_on for r in rows)]
    heading = export.Heading(t.pgettext("reports", "control"), min(dates), max(dates))
    return export.xlsx_response(t, heading, [table], filename="control-report")
