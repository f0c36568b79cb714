"""Reports as files: CSV and XLSX, safe to open in a spreadsheet (no cell runs as a formula)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from fastapi.responses import Response
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

CSV_MEDIA_TYPE = "text/csv"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A spreadsheet runs a CSV cell starting with one of these as a formula (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

Row = Sequence[Any]
Sheet = tuple[str, Row, Iterable[Row]]  # title, header, rows


def negotiate(format: str | None, accept: str | None, *, default: str) -> str:
    """`format=` wins; else an Accept naming CSV or XLSX; else `default`."""
    if format:
        return format
    accept = (accept or "").lower()
    if XLSX_MEDIA_TYPE in accept:
        return "xlsx"
    if CSV_MEDIA_TYPE in accept:
        return "csv"
    return default


def csv_cell(value: Any) -> Any:
    """Text a spreadsheet would run as a formula is quoted; None is an empty cell."""
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def csv_response(header: Row, rows: Iterable[Row], *, filename: str) -> Response:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([csv_cell(v) for v in row] for row in rows)
    return Response(
        buffer.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}.csv"'},
    )


def _xlsx_cell(sheet: WriteOnlyWorksheet, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if not value.startswith("="):
        return value
    # openpyxl stores text starting with "=" as a formula: keep it a string cell instead.
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"
    return cell


def xlsx_bytes(sheets: Sequence[Sheet]) -> bytes:
    """A workbook with one sheet per (title, header, rows); dates as dates, text as text."""
    book = Workbook(write_only=True)
    for title, header, rows in sheets:
        sheet = book.create_sheet(title)
        sheet.append(list(header))
        for row in rows:
            sheet.append([_xlsx_cell(sheet, v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def xlsx_response(sheets: Sequence[Sheet], *, filename: str) -> Response:
    return Response(
        xlsx_bytes(sheets),
        media_type=XLSX_MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{filename}.xlsx"'},
    )


def file_responses(description: str, *, csv: bool = True, xlsx: bool = True) -> dict[str, Any]:
    """The OpenAPI 200 entry of a route that also answers with files."""
    content: dict[str, Any] = {}
    if csv:
        content[CSV_MEDIA_TYPE] = {"schema": {"type": "string"}}
    if xlsx:
        content[XLSX_MEDIA_TYPE] = {"schema": {"type": "string", "format": "binary"}}
    return {"description": description, "content": content}
