"""The mass reception protocol (§60, R-11.3) as one printable A4 page in uz (Latin, default),
uz-Cyrl, ru or en; dates dd.mm.yyyy; every value escaped (what people said is untrusted)."""

from __future__ import annotations

from html import escape

from appeals_api import i18n
from appeals_api.appeals.card.html import STYLE
from appeals_api.appeals.letters.catalogue import catalogue
from appeals_api.receptions.schemas import ProtocolEntryRead, ProtocolRead

_WIDTHS = (6, 18, 20, 32, 24)  # per cent, the entries' columns
# The columns' widths are classes, not style attributes: the page's CSP allows its one
# <style> by hash and no inline style attribute (`negotiation.page_headers`).
_TABLE_STYLE = "table.entries th { width: auto; }" + "".join(
    f" col.w{i} {{ width: {w}%; }}" for i, w in enumerate(_WIDTHS)
)
PAGE_STYLE = STYLE + _TABLE_STYLE
_COLUMNS = (
    "<colgroup>" + "".join(f'<col class="w{i}">' for i in range(len(_WIDTHS))) + "</colgroup>"
)


def _result(t: i18n.Translator, e: ProtocolEntryRead) -> str:
    """What became of what a person said: resolved on the spot, or the appeal registered."""
    if e.resolved_on_the_spot:
        return t.pgettext("reception", "Resolved on the spot (not registered)")
    due = t.date(e.due_date) if e.due_date else "—"
    return t.pgettext("reception", "Registered No. {n}, due {d}", n=e.appeal_number or "—", d=due)


def protocol_page(protocol: ProtocolRead, lang: str) -> str:
    """The protocol to print: its heading, the officials, one row per person heard."""
    t = i18n.translator(lang)
    officials = "; ".join(
        escape(f"{o.post}, {o.name}" if o.post else o.name) for o in protocol.officials
    )
    rows = "\n".join(
        "<tr>"
        f'<td class="n">{e.position}</td><td>{escape(e.name)}</td><td>{escape(e.residence)}</td>'
        f'<td>{escape(e.summary)}</td><td>{escape(e.result)}<br><em class="mark">'
        f"{escape(_result(t, e))}</em></td></tr>"
        for e in protocol.entries
    )
    title, held_on = (
        escape(t.pgettext("reception", "Mass reception protocol")),
        t.date(protocol.held_on),
    )
    clause = escape(t.pgettext("reception", "Regulation §60"))
    facts = (
        (t.pgettext("reception", "Date"), held_on),
        (t.pgettext("reception", "Place"), escape(protocol.place)),
        (t.pgettext("reception", "Received by"), officials),
    )
    heads = (
        t.pgettext("reception", "No."),
        t.pgettext("reception", "Name"),
        t.pgettext("reception", "Residence"),
        t.pgettext("reception", "Summary"),
        t.pgettext("reception", "Result"),
    )
    head = "".join(f"<th>{escape(h)}</th>" for h in heads)
    fact_rows = "\n".join(f"<tr><th>{escape(k)}</th><td>{v}</td></tr>" for k, v in facts)
    return f"""<!DOCTYPE html>
<html lang="{escape(t.lang)}"><head><meta charset="utf-8">
<title>{title} {held_on}</title>
<style>{PAGE_STYLE}</style></head>
<body>
<h1>{title}</h1>
<p class="sub">{escape(catalogue(t.lang).company)} · {clause}</p>
<table><tbody>
{fact_rows}
</tbody></table>
<table class="entries">{_COLUMNS}<thead><tr>
{head}
</tr></thead><tbody>
{rows}
</tbody></table>
<p>{escape(t.pgettext("reception", "Signature"))}: ____________________</p>
</body></html>
"""
