"""A letter as one printable A4 page (R-6.4): the company's letterhead, number and date,
addressee, text, signer. Every value is escaped; the page loads nothing (its CSP says so)."""

from __future__ import annotations

from html import escape
from string import Template

from appeals_api.appeals.letters.templates import Composed
from appeals_api.negotiation import page_headers

STYLE = """
@page { size: A4; margin: 20mm 15mm 20mm 25mm; }
html { background: #f2f2f2; }
body { font: 12pt/1.45 "Times New Roman", "Liberation Serif", "DejaVu Serif", serif; color: #000;
  background: #fff; width: 170mm; min-height: 257mm; margin: 10mm auto;
  padding: 20mm 15mm 20mm 25mm; box-sizing: content-box; }
header { text-align: center; border-bottom: 2px solid #000; padding-bottom: 3mm; }
.company { font-size: 16pt; font-weight: bold; letter-spacing: .04em; }
.full { font-size: 10pt; } .address { font-size: 10pt; }
.meta { display: flex; justify-content: space-between; margin: 5mm 0 8mm; }
.to { margin-left: 50%; margin-bottom: 8mm; }
h1 { font-size: 13pt; text-align: center; margin: 0 0 5mm; }
.draft { border: 2px solid #000; text-align: center; font-weight: bold; padding: 1mm;
  margin-bottom: 5mm; letter-spacing: .1em; }
p { margin: 0 0 3mm; text-indent: 12mm; }
.text { white-space: pre-wrap; overflow-wrap: anywhere; }
.sign { display: flex; justify-content: space-between; align-items: flex-end;
  margin-top: 15mm; }
.sign .line { border-bottom: 1px solid #000; width: 45mm; height: 1.2em; }
@media print { html { background: none; }
  body { width: auto; min-height: 0; margin: 0; padding: 0; } }
"""

# The page runs no script and loads nothing: only its own inline style.
HEADERS = page_headers(STYLE)

PAGE = Template(
    """<!DOCTYPE html>
<html lang="$lang">
<head>
<meta charset="utf-8">
<title>$title — $number</title>
<style>$style</style>
</head>
<body>
<header>
<div class="company">$company</div>
<div class="full">$company_full</div>
<div class="address">$address</div>
</header>
<div class="meta"><span>$number_label $number</span><span>$date_label: $date</span></div>
<div class="to">$to_label: <strong>$addressee</strong></div>
$draft<h1>$title</h1>
<p>$opening</p>
$text$extra<div class="sign">
<div>$signer_label: <strong>$signer</strong></div>
<div class="line" title="$signature_label"></div>
<div>$signed_on</div>
</div>
</body>
</html>
"""
)


def _extra(c: Composed) -> str:
    """The kind's own parts: the outcome and grounds, how to appeal the decision."""
    w, parts = c.words, []
    if c.outcome:
        parts.append(f"<p><strong>{escape(w.outcome)}:</strong> {escape(c.outcome)}</p>")
    if c.grounds:
        parts.append(
            f'<p><strong>{escape(w.grounds)}:</strong> <span class="text">'
            f"{escape(c.grounds)}</span></p>"
        )
    if c.appeal_right:
        parts.append(f"<p>{escape(c.appeal_right)}</p>")
    return "".join(part + "\n" for part in parts)


def render(c: Composed) -> str:
    """R-6.4: the printable page in the letter's language."""
    w = c.words
    values = {
        "lang": w.lang,
        "title": c.title,
        "number": c.number,
        "company": w.company,
        "company_full": w.company_full,
        "address": w.address,
        "number_label": w.number,
        "date_label": w.date,
        "date": c.date,
        "to_label": w.to,
        "addressee": c.addressee,
        "opening": c.opening,
        "signer_label": w.signer,
        "signer": c.signer,
        "signature_label": w.signature,
        "signed_on": c.signed_on,
    }
    escaped = {k: escape(v) for k, v in values.items()}
    text = "".join(
        f'<p class="text">{escape(line)}</p>\n' for line in c.text.split("\n") if line.strip()
    )
    draft = f'<div class="draft">{escape(c.draft)}</div>\n' if c.draft else ""
    return PAGE.substitute(escaped, style=STYLE, draft=draft, text=text, extra=_extra(c))
