"""Reading back the reports' files: CSV tables, and XLSX sheets with their heading rows."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The shared writer's heading: company, report, period, an empty row; then the header.
HEADING_ROWS = 4


@dataclass
class Sheet:
    heading: list[Any]  # the first cell of each heading row
    header: list[Any]
    rows: list[list[Any]]  # padded to the header's width (openpyxl drops trailing Nones)
    sheet: Worksheet


def csv_table(text: str) -> tuple[list[str], list[list[str]]]:
    header, *rows = list(csv.reader(io.StringIO(text)))
    return header, rows


def workbook(content: bytes) -> dict[str, Sheet]:
    """Every sheet of an XLSX answer, split into heading, header and rows."""
    book = load_workbook(io.BytesIO(content))
    out: dict[str, Sheet] = {}
    for name in book.sheetnames:
        sheet = book[name]
        values = [list(r) for r in sheet.iter_rows(values_only=True)]
        heading = [r[0] if r else None for r in values[:HEADING_ROWS]]
        header = values[HEADING_ROWS]
        while header and header[-1] is None:
            header.pop()
        width = len(header)
        rows = [(r + [None] * width)[:width] for r in values[HEADING_ROWS + 1 :]]
        out[name] = Sheet(heading, header, rows, sheet)
    return out
