"""The mass reception protocol (§60, R-11.3) as one printable A4 page in uz (Latin, default),
uz-Cyrl, ru or en; dates dd.mm.yyyy; every value escaped (what people said is untrusted)."""

from __future__ import annotations

from html import escape

from appeals_api.appeals.card.html import STYLE
from appeals_api.appeals.card.labels import DEFAULT, LANGUAGES
from appeals_api.appeals.letters.catalogue import catalogue
from appeals_api.receptions.schemas import ProtocolRead

# uz (Latin), uz-Cyrl, ru, en.
WORDS: dict[str, tuple[str, str, str, str]] = {
    "title": (
        "Ommaviy qabul bayonnomasi",
        "Оммавий қабул баённомаси",
        "Протокол массового приёма",
        "Mass reception protocol",
    ),
    "held_on": ("Sana", "Сана", "Дата", "Date"),
    "place": ("Joy", "Жой", "Место", "Place"),
    "officials": ("Qabulni o'tkazdi", "Қабулни ўтказди", "Приём провели", "Received by"),
    "no": ("№", "№", "№", "No."),
    "name": ("F.I.Sh.", "Ф.И.Ш.", "Ф.И.О.", "Name"),
    "residence": ("Yashash joyi", "Яшаш жойи", "Место жительства", "Residence"),
    "summary": ("Murojaat mazmuni", "Мурожаат мазмуни", "Краткое содержание", "Summary"),
    "result": ("Ko'rib chiqish natijasi", "Кўриб чиқиш натижаси", "Результат", "Result"),
    "registered": (
        "Ro'yxatga olindi № {n}, muddati {d}",
        "Рўйхатга олинди № {n}, муддати {d}",
        "Зарегистрировано № {n}, срок {d}",
        "Registered No. {n}, due {d}",
    ),
    "on_the_spot": (
        "Joyida hal qilindi (ro'yxatga olinmaydi)",
        "Жойида ҳал қилинди (рўйхатга олинмайди)",
        "Решено на месте (без регистрации)",
        "Resolved on the spot (not registered)",
    ),
    "clause": (
        "Nizomning 60-bandi",
        "Низомнинг 60-банди",
        "Пункт 60 Положения",
        "Regulation §60",
    ),
    "signature": ("Imzo", "Имзо", "Подпись", "Signature"),
}

_TABLE_STYLE = "table.entries th { width: auto; }"
_COLUMNS = (
    "<colgroup>" + "".join(f'<col style="width:{w}%">' for w in (6, 18, 20, 32, 24)) + "</colgroup>"
)


def protocol_page(protocol: ProtocolRead, lang: str) -> str:
    """The protocol to print: its heading, the officials, one row per person heard."""
    i = LANGUAGES.index(lang if lang in LANGUAGES else DEFAULT)

    def w(key: str) -> str:
        return WORDS[key][i]

    officials = "; ".join(
        escape(f"{o.post}, {o.name}" if o.post else o.name) for o in protocol.officials
    )
    rows = "\n".join(
        "<tr>"
        f'<td class="n">{e.position}</td><td>{escape(e.name)}</td><td>{escape(e.residence)}</td>'
        f'<td>{escape(e.summary)}</td><td>{escape(e.result)}<br><em class="mark">'
        + (
            escape(w("on_the_spot"))
            if e.resolved_on_the_spot
            else escape(
                w("registered").format(
                    n=e.appeal_number or "—",
                    d=e.due_date.strftime("%d.%m.%Y") if e.due_date else "—",
                )
            )
        )
        + "</em></td></tr>"
        for e in protocol.entries
    )
    return f"""<!DOCTYPE html>
<html lang="{escape(lang)}"><head><meta charset="utf-8">
<title>{escape(w("title"))} {protocol.held_on:%d.%m.%Y}</title>
<style>{STYLE}{_TABLE_STYLE}</style></head>
<body>
<h1>{escape(w("title"))}</h1>
<p class="sub">{escape(catalogue(lang).company)} · {escape(w("clause"))}</p>
<table><tbody>
<tr><th>{escape(w("held_on"))}</th><td>{protocol.held_on:%d.%m.%Y}</td></tr>
<tr><th>{escape(w("place"))}</th><td>{escape(protocol.place)}</td></tr>
<tr><th>{escape(w("officials"))}</th><td>{officials}</td></tr>
</tbody></table>
<table class="entries">{_COLUMNS}<thead><tr>
<th>{escape(w("no"))}</th><th>{escape(w("name"))}</th><th>{escape(w("residence"))}</th>
<th>{escape(w("summary"))}</th><th>{escape(w("result"))}</th>
</tr></thead><tbody>
{rows}
</tbody></table>
<p>{escape(w("signature"))}: ____________________</p>
</body></html>
"""
