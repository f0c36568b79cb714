"""HTTP for control: the report of overdue and soon-due stages (R-9.2), as JSON or CSV."""

from __future__ import annotations

import csv
import io
from collections import Counter
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from appeals_api.auth.dependencies import require
from appeals_api.auth.roles import Principal, Role
from appeals_api.control import service
from appeals_api.control.schemas import ControlGroup, ControlReport, ControlRow
from appeals_api.db import SessionDep
from appeals_api.deps import SettingsDep, TodayDep
from appeals_api.errors import problem_responses

router = APIRouter(prefix="/api/v1/reports", tags=["control"])

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
        200: {"content": {"text/csv": {}}, "description": "JSON, or CSV with Accept: text/csv"},
    },
    summary="Overdue and soon-due stages per unit and executor (R-9.2)",
)
async def control_report(
    request: Request,
    session: SessionDep,
    _: Annotated[Principal, Depends(require(Role.SUPERVISOR, Role.MANAGER, Role.REGISTRAR))],
    settings: SettingsDep,
    today: TodayDep,
    soon: Annotated[
        int, Query(ge=0, le=30, description="Working days ahead that count as due soon")
    ] = 3,
    format: Annotated[str | None, Query(pattern="^(json|csv)$")] = None,
) -> Response | ControlReport:
    """No personal data: numbers, units, executors named in resolutions, stages and dates."""
    rows = await service.control_rows(session, settings, today=today, soon=soon, limit=MAX_ROWS + 1)
    truncated = len(rows) > MAX_ROWS
    rows = rows[:MAX_ROWS]
    wants_csv = format == "csv" or (
        format is None and "text/csv" in request.headers.get("accept", "")
    )
    if wants_csv:
        return _csv(rows)
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


def _cell(value: object) -> object:
    """A text cell a spreadsheet would run as a formula is quoted (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _csv(rows: list[ControlRow]) -> Response:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS)
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _cell(v) for k, v in row.model_dump(mode="json").items()})
    return Response(
        buffer.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="control-report.csv"'},
    )
