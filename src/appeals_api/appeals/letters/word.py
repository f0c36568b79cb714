"""A letter as a DOCX (R-6.4), laid out like the printable page: A4, letterhead, number and
date, addressee, title, text, signer — for the Office Manager to print, sign and scan back."""

from __future__ import annotations

import io
import re

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm, Pt

from appeals_api.appeals.letters.templates import Composed

DOCX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# XML 1.0 refuses these; a letter's text never needs them.
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _clean(value: str) -> str:
    return _NOT_XML.sub("", value)


def render(c: Composed) -> bytes:
    """R-6.4: the letter as a Word document in its language."""
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(25), Mm(15)
    style = document.styles["Normal"]
    style.font.name, style.font.size = "Times New Roman", Pt(12)
    w = c.words

    def line(
        text: str, *, bold: bool = False, size: int | None = None, center: bool = False
    ) -> None:
        paragraph = document.add_paragraph()
        run = paragraph.add_run(_clean(text))
        run.bold = bold
        if size:
            run.font.size = Pt(size)
        if center:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER

    line(w.company, bold=True, size=16, center=True)
    line(w.company_full, size=10, center=True)
    line(w.address, size=10, center=True)
    line(f"{w.number} {c.number}        {w.date}: {c.date}")
    line(f"{w.to}: {c.addressee}")
    if c.draft:
        line(c.draft, bold=True, center=True)
    line(c.title, bold=True, size=13, center=True)
    line(c.opening)
    for paragraph in c.text.split("\n"):
        line(paragraph)
    if c.outcome:
        line(f"{w.outcome}: {c.outcome}")
    if c.grounds:
        line(f"{w.grounds}: {c.grounds}")
    if c.appeal_right:
        line(c.appeal_right)
    line(f"{w.signer}: {c.signer}        {w.signature}: ____________        {c.signed_on}")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
