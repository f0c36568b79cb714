"""Reports as files (R-2.2, R-9.2, R-10), in the reader's language: one writer for every report.

CSV: the header row, then the rows. XLSX: each sheet opens with the company, the report's name
and its period (dd.mm.yyyy–dd.mm.yyyy), then the bold header row, frozen and filtered, with
columns as wide as what they hold. In both, dates print as dd.mm.yyyy (XLSX: date cells shown
so), yes/no in the language, and no cell runs as a formula (CSV injection).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Annotated, Any

from fastapi import Depends, Query, Request
from fastapi.responses import Response
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from appeals_api.i18n import Translator, translator
from appeals_api.i18n import negotiate as negotiate_language

CSV_MEDIA_TYPE = "text/csv"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A spreadsheet runs a CSV cell starting with one of these as a formula (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# The rows before the header: company, report, period, an empty line.
HEADING_ROWS = 4
DATE_FORMAT = "DD.MM.YYYY"
_MIN_WIDTH, _MAX_WIDTH = 8, 60

Row = Sequence[Any]


@dataclass(frozen=True)
class Table:
    """One sheet: its name (at most 31 characters), the column headers and the rows."""

    name: str
    header: Row
    rows: Sequence[Row]


@dataclass(frozen=True)
class Heading:
    """What a workbook says it is: the report's name and the period it covers."""

    title: str
    first: date
    last: date


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


def text(t: Translator, value: Any) -> Any:
    """A value as a reader reads it: yes/no, dd.mm.yyyy, None as nothing."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return t.pgettext("reports", "yes") if value else t.pgettext("reports", "no")
    if isinstance(value, date):
        return t.date(value)
    return value


def csv_cell(t: Translator, value: Any) -> Any:
    """Text a spreadsheet would run as a formula is quoted."""
    value = text(t, value)
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def csv_response(t: Translator, table: Table, *, filename: str) -> Response:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([csv_cell(t, v) for v in table.header])
    writer.writerows([csv_cell(t, v) for v in row] for row in table.rows)
    return Response(
        buffer.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}.csv"'},
    )


def period(t: Translator, first: date, last: date) -> str:
    return t.pgettext("reports", "period", start=t.date(first), end=t.date(last))


def _xlsx_cell(sheet: WriteOnlyWorksheet, t: Translator, value: Any) -> Any:
    if isinstance(value, date):
        when = value if isinstance(value, datetime) else datetime.combine(value, time())
        cell = WriteOnlyCell(sheet, value=when)
        cell.number_format = DATE_FORMAT
        return cell
    value = text(t, value)
    if not isinstance(value, str):
        return value
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if not value.startswith("="):
        return value
    # openpyxl stores text starting with "=" as a formula: keep it a string cell instead.
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"
    return cell


def _styled(sheet: WriteOnlyWorksheet, value: Any, font: Font) -> Any:
    cell = WriteOnlyCell(sheet, value=value)
    cell.font = font
    return cell


def _widths(t: Translator, table: Table) -> list[float]:
    """Each column as wide as its longest text (header included), within bounds."""
    widths = [len(str(text(t, h))) for h in table.header]
    for row in table.rows:
        for i, value in enumerate(row[: len(widths)]):
            widths[i] = max(widths[i], len(str(text(t, value))))
    return [min(max(w + 2, _MIN_WIDTH), _MAX_WIDTH) for w in widths]


def _write_sheet(book: Workbook, t: Translator, heading: Heading, table: Table) -> None:
    sheet = book.create_sheet(table.name[:31])
    for i, width in enumerate(_widths(t, table), 1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    header_row = HEADING_ROWS + 1
    last = get_column_letter(max(len(table.header), 1))
    sheet.freeze_panes = f"A{header_row + 1}"
    sheet.auto_filter.ref = f"A{header_row}:{last}{header_row + len(table.rows)}"
    sheet.append([_styled(sheet, t.pgettext("reports", "company"), Font(bold=True))])
    sheet.append([_styled(sheet, heading.title, Font(bold=True, size=14))])
    sheet.append([period(t, heading.first, heading.last)])
    sheet.append([])
    sheet.append([_styled(sheet, text(t, h), Font(bold=True)) for h in table.header])
    for row in table.rows:
        sheet.append([_xlsx_cell(sheet, t, v) for v in row])


def xlsx_bytes(t: Translator, heading: Heading, tables: Sequence[Table]) -> bytes:
    """A workbook with one sheet per table; dates as dates, text as text."""
    book = Workbook(write_only=True)
    for table in tables:
        _write_sheet(book, t, heading, table)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def xlsx_response(
    t: Translator, heading: Heading, tables: Sequence[Table], *, filename: str
) -> Response:
    return Response(
        xlsx_bytes(t, heading, tables),
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


async def _reader_translator(
    request: Request,
    lang: Annotated[
        str | None,
        Query(
            max_length=35,
            description="uz (Latin, default), uz-Cyrl, ru, en; else "
            "Accept-Language. The files' headers, labels and dates follow it.",
        ),
    ] = None,
) -> Translator:
    return translator(negotiate_language(lang, request.headers.get("accept-language")))


# The reader's language (`?lang=`, else Accept-Language, else uz) as its words.
TranslatorDep = Annotated[Translator, Depends(_reader_translator)]
