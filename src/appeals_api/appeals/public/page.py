"""The applicant's status page (R-8.1): the form (number and code) and the result, in uz, uz-Cyrl,
ru or en. Plain HTML: no script, nothing loaded, every value escaped; readable without a
stylesheet, labelled fields, dark text on white."""

from __future__ import annotations

from html import escape

from appeals_api import i18n
from appeals_api.appeals.public.schemas import PublicStatus
from appeals_api.negotiation import page_headers

STYLE = """
body { font: 17px/1.5 system-ui, "Segoe UI", Roboto, "DejaVu Sans", Arial, sans-serif;
  color: #1a1a1a; background: #fff; margin: 0; }
header, main, footer { max-width: 40rem; margin: 0 auto; padding: 0 1rem; }
header { display: flex; justify-content: space-between; align-items: center; flex-wrap: wrap;
  border-bottom: 3px solid #0b4f8a; padding-top: .75rem; padding-bottom: .75rem; }
.company { font-weight: 700; margin: 0; }
.langs { display: flex; gap: .25rem; list-style: none; margin: 0; padding: 0; }
.langs a, .langs button { display: inline-block; min-width: 2.75rem; padding: .3rem .5rem;
  text-align: center; color: #0b4f8a; background: #fff; border: 1px solid #0b4f8a;
  border-radius: 4px; font: inherit; text-decoration: none; cursor: pointer; }
.langs [aria-current] { color: #fff; background: #0b4f8a; }
h1 { font-size: 1.6rem; line-height: 1.25; margin: 1.5rem 0 1rem; }
h2 { font-size: 1.2rem; margin: 1.5rem 0 .5rem; }
label { display: block; font-weight: 700; margin-top: 1rem; }
.hint { display: block; color: #4a4a4a; font-size: .9rem; }
input[type=text] { font: inherit; width: 100%; max-width: 20rem; box-sizing: border-box;
  padding: .5rem; border: 2px solid #555; border-radius: 4px; margin-top: .25rem; }
button.go { display: block; font: inherit; font-weight: 700; color: #fff;
  background: #0b4f8a; border: 0; border-radius: 4px; padding: .6rem 1.2rem;
  margin-top: 1.25rem; cursor: pointer; }
a { color: #0b4f8a; }
a:focus, button:focus, input:focus { outline: 3px solid #e8a200; outline-offset: 2px; }
.message { border-left: 5px solid #a4000f; background: #fdf0f1; color: #5c0008;
  padding: .75rem 1rem; margin: 1rem 0; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .35rem 1.25rem; margin: 0; }
dt { font-weight: 700; } dd { margin: 0; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .4rem .5rem; border-bottom: 1px solid #bbb; }
th { background: #eef3f8; }
footer { color: #4a4a4a; font-size: .9rem; margin-top: 2rem; padding-bottom: 1.5rem; }
"""

# No script at all, nothing loaded, only this page's own inline style; forms post to us only.
HEADERS = {**page_headers(STYLE, forms_to_us=True), "Cache-Control": "no-store"}

# The switcher's names, each in its own script (the "uz | ўз | ru | en").
SWITCH = (("uz", "uz"), ("uz-Cyrl", "ўз"), ("ru", "ru"), ("en", "en"))


def _own_name(lang: str) -> str:
    return escape(i18n.translator(lang).pgettext("language", lang))


def _current(code: str, lang: str, value: str) -> str:
    return f' aria-current="{value}"' if code == lang else ""


def _links(lang: str) -> str:
    items = "".join(
        f'<li><a href="/status?lang={code}" hreflang="{code}" lang="{code}" '
        f'title="{_own_name(code)}"{_current(code, lang, "page")}>{shown}</a></li>'
        for code, shown in SWITCH
    )
    return f'<ul class="langs">{items}</ul>'


def _buttons(lang: str, number: str, code: str) -> str:
    """On the result, the switcher posts the same number and code again in another language."""
    buttons = "".join(
        f'<li><button type="submit" name="lang" value="{c}" lang="{c}" '
        f'title="{_own_name(c)}"{_current(c, lang, "true")}>{shown}</button></li>'
        for c, shown in SWITCH
    )
    return (
        f'<form method="post" action="/status"><input type="hidden" name="number" '
        f'value="{escape(number)}"><input type="hidden" name="code" value="{escape(code)}">'
        f'<ul class="langs">{buttons}</ul></form>'
    )


def _document(t: i18n.Translator, title: str, switcher: str, content: str) -> str:
    w = t.pgettext
    return f"""<!doctype html>
<html lang="{t.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)} — {escape(w("status", "company"))}</title>
<style>{STYLE}</style>
</head>
<body>
<header>
<p class="company">{escape(w("status", "company"))}</p>
<nav aria-label="{escape(w("status", "language"))}">{switcher}</nav>
</header>
<main>
{content}
</main>
<footer><p>{escape(w("status", "privacy"))}</p></footer>
</body>
</html>
"""


def form_page(lang: str, *, number: str = "", message: str | None = None) -> str:
    """The form: number and code, each with its label and hint; `message` above it, as an
    alert (a wrong pair, a malformed number, too many attempts). The code is never echoed."""
    t = i18n.translator(lang)
    w = t.pgettext
    alert = f'<p class="message" role="alert">{escape(message)}</p>' if message else ""
    content = f"""<h1>{escape(w("status", "title"))}</h1>
{alert}<p>{escape(w("status", "intro"))}</p>
<form method="post" action="/status">
<input type="hidden" name="lang" value="{t.lang}">
<label for="number">{escape(w("status", "number"))}</label>
<span class="hint" id="number-hint">{escape(w("status", "number_hint"))}</span>
<input type="text" id="number" name="number" value="{escape(number)}" required maxlength="32"
 autocomplete="off" spellcheck="false" aria-describedby="number-hint">
<label for="code">{escape(w("status", "code"))}</label>
<span class="hint" id="code-hint">{escape(w("status", "code_hint"))}</span>
<input type="text" id="code" name="code" required maxlength="64" autocomplete="off"
 autocapitalize="characters" spellcheck="false" aria-describedby="code-hint">
<button type="submit" class="go">{escape(w("status", "submit"))}</button>
</form>"""
    return _document(t, w("status", "title"), _links(t.lang), content)


def result_page(status: PublicStatus, *, code: str) -> str:
    """Status, dates and the stages' deadlines, dd.mm.yyyy, labels in the answer's language:
    what the JSON lookup answers, nothing more (R-8.1)."""
    t = i18n.translator(status.language)
    w = t.pgettext
    facts = [
        ("status", status.status_label),
        ("received_on", t.date(status.received_on)),
        ("registered_on", t.date(status.registered_on)),
        ("due_date", t.date(status.due_date)),
    ]
    if status.completed_on:
        facts.append(("completed_on", t.date(status.completed_on)))
    if status.outcome_label:
        facts.append(("outcome", status.outcome_label))
    listed = "".join(f"<dt>{escape(w('status', k))}</dt><dd>{escape(v)}</dd>" for k, v in facts)
    rows = "".join(
        f"<tr><td>{escape(d.rule_label)}</td><td>{t.date(d.due_on)}</td>"
        f"<td>{t.date(d.done_on) if d.done_on else escape(w('status', 'not_yet'))}</td></tr>"
        for d in status.deadlines
    )
    title = w("status", "result_title", number=status.number)
    content = f"""<h1>{escape(title)}</h1>
<dl>{listed}</dl>
<h2 id="stages">{escape(w("status", "stages"))}</h2>
<table aria-labelledby="stages"><thead><tr><th scope="col">{escape(w("status", "stage"))}</th>
<th scope="col">{escape(w("status", "stage_due"))}</th>
<th scope="col">{escape(w("status", "stage_done"))}</th></tr></thead>
<tbody>{rows}</tbody></table>
<p><a href="/status?lang={t.lang}">{escape(w("status", "another"))}</a></p>"""
    return _document(t, title, _buttons(t.lang, status.number, code), content)
