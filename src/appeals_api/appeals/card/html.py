"""The registration card (Appendix 2) as one printable A4 page in the reader's language (uz,
uz-Cyrl, ru, en); every value escaped (applicant text is untrusted)."""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from enum import Enum

from appeals_api import i18n
from appeals_api.appeals.card.schemas import (
    CardControl,
    CardFront,
    CardLate,
    CardMeasure,
    CardRelated,
    CardReverse,
    CardViolation,
    RegistrationCard,
)

STYLE = """
@page { size: A4; margin: 15mm 15mm 15mm 20mm; }
body { font: 11pt/1.35 "Times New Roman", "Liberation Serif", "DejaVu Serif", serif;
  margin: 0 auto; max-width: 180mm; padding: 10mm 0; color: #000; }
h1 { font-size: 13pt; text-align: center; text-transform: uppercase; margin: 0 0 .2em; }
h2 { font-size: 12pt; margin: 1.2em 0 .4em; } h3 { font-size: 11pt; margin: 1em 0 .3em; }
p.sub { text-align: center; margin: 0 0 1em; } .violation { font-weight: bold; }
table { width: 100%; border-collapse: collapse; margin-bottom: .6em; table-layout: fixed; }
th, td { border: 1px solid #000; padding: 3px 6px; vertical-align: top; text-align: left; }
th { background: #eee; } tbody th { width: 38%; font-weight: normal; }
td { white-space: pre-wrap; overflow-wrap: anywhere; } td.sign { height: 2em; }
thead th { font-size: 9.5pt; overflow-wrap: anywhere; }
em.mark { font-style: normal; font-weight: bold; }
@media print { body { padding: 0; max-width: none; } section.reverse { break-before: page; }
  th { background: none; } tr { break-inside: avoid; } }
"""


class _Page:
    """Values as one language prints them."""

    def __init__(self, t: i18n.Translator) -> None:
        self.t = t

    def word(self, key: str, **values: object) -> str:
        """One of the card's words (card.po), its placeholders filled."""
        return self.t.pgettext("card", key, **values)

    def plain(self, value: object) -> str:
        if value is None or value == "":
            return "—"
        if isinstance(value, bool):
            return self.word("yes") if value else self.word("no_")
        if isinstance(value, datetime):
            return self.t.instant(value) if value.tzinfo else value.strftime("%d.%m.%Y %H:%M")
        if isinstance(value, date):
            return self.t.date(value)
        if isinstance(value, Enum):
            return self.t.label(str(value.value))
        if isinstance(value, dict):
            return "; ".join(f"{self.plain(k)}: {self.plain(v)}" for k, v in value.items())
        return str(value)

    def text(self, value: object) -> str:
        return html.escape(self.plain(value))

    def question(self, f: CardFront) -> str:
        """R-13.1: the topics' names in the page's language, then the text as received."""
        names = [f"{t.code} {t.names.in_language(self.t.lang)}" for t in f.topics]
        return "\n".join([*names, "", f.question]) if names else f.question

    def rows(self, pairs: Iterable[tuple[str, object]], *, cls: str = "") -> str:
        attr = f' class="{cls}"' if cls else ""
        body = "".join(
            f"<tr><th>{html.escape(self.word(k))}</th><td{attr}>{self.text(v)}</td></tr>"
            for k, v in pairs
        )
        return f"<table><tbody>{body}</tbody></table>"

    def grid(self, headers: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
        head = "".join(f"<th>{html.escape(self.word(h))}</th>" for h in headers)
        body = "".join(
            "<tr>" + "".join(f"<td>{self.text(v)}</td>" for v in r) + "</tr>" for r in rows
        )
        if not body:
            body = f'<tr><td colspan="{len(headers)}">—</td></tr>'
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"

    def unit(self, code: str, name: str | None, lead: bool) -> str:
        named = code if name in (None, code) else f"{name} ({code})"
        return f"{named} — {self.word('lead')}" if lead else named

    def late(self, late: CardLate | None) -> str | None:
        """R-3.5 (§16): when the applicant learned of the violation; the term restored."""
        if late is None:
            return None
        text = self.word("late_learned", on=self.t.date(late.violation_learned_on))
        if late.term_restored_on is not None:
            restored = self.t.date(late.term_restored_on)
            text += "; " + self.word("late_restored", on=restored, by=late.term_restored_by)
        return text

    def related(self, related: CardRelated | None) -> str | None:
        if related is None:
            return None
        on = self.t.date(related.received_on) if related.received_on else self.word("date_unknown")
        return f"{self.plain(related.relation)}: {self.word('no')} {related.number}, {on}"

    def control(self, control: CardControl) -> str:
        parts = (self.plain(control.type), control.body, control.reference)
        return ", ".join(x for x in parts if x)

    def applicants(self, f: CardFront) -> str | None:
        """§9: a confidential applicant is marked as such, never shown like an anonymous one."""
        if f.identity_withheld:
            return self.word("withheld")
        names = [a.name or self.word("anonymous") for a in f.applicants]
        if f.confidential and names:
            names[0] = f"{names[0]} ({self.word('confidential')})"
        return "\n".join(names) or None

    def violation(self, v: CardViolation, as_of: date) -> str:
        head = self.word("v_head", rule=self.t.label(v.rule), due=self.t.date(v.due_date))
        if v.state == "open":
            tail = self.word("v_open", today=self.t.date(as_of), days=v.days_late)
        else:
            assert v.ended_on is not None
            key = "v_cancelled" if v.state == "cancelled" else "v_ended"
            tail = self.word(key, ended=self.t.date(v.ended_on), days=v.days_late)
        return f"{head}: {tail}."


def _front_html(p: _Page, card: RegistrationCard) -> str:
    f = card.front
    units = ", ".join(p.unit(u.code, u.name, u.lead) for u in f.units)
    executors = ", ".join(f"{e.name} ({e.unit})" for e in f.executors)
    r = f.resolution
    address = p.word("withheld") if f.identity_withheld else f.address
    return p.rows(
        [
            ("serial_number", f.serial_number),
            ("registration_date", f.registration_date),
            ("received_on", f.received_on),
            ("counted_from", f.registered_on),
            ("question", p.question(f)),
            ("applicants", p.applicants(f)),
            ("address", address),
            ("representative", f.representative),
            ("applicant_count", f.applicant_count),
            ("form", f.form),
            ("sheets", f.sheets),
            ("attachments", f.attachments),
            ("channel", f.channel),
            ("related", p.related(f.related)),
            ("kind", f.kind),
            ("late_complaint", p.late(f.late_complaint)),
            ("control", p.control(f.control)),
            ("summary", f.summary),
            ("resolution_signer", f"{r.signed_by}, {p.plain(r.signed_on)}" if r else None),
            ("resolution", r.instruction if r else None),
            ("answer_due", f.due_date),
            ("answer_due_original", f.original_due_date),
            ("units", units),
            ("executors", executors),
        ]
    )


def _party(m: CardMeasure) -> str | None:
    """Who took part: the party, and a collegial hearing's bodies and place (§23)."""
    parts = [m.party, "; ".join(m.bodies or []) or None, m.place]
    return " — ".join(x for x in parts if x) or None


def _outcome(p: _Page, v: CardReverse) -> str:
    letter, removal = v.response_letter, v.removed_from_control
    sent = p.plain(letter.sent_on) if letter and letter.sent_on else p.word("not_sent")
    number = f"{p.word('no')} {letter.letter_number or '—'}, {sent}" if letter else None
    return p.rows(
        [
            ("response_letter", number),
            ("response_received", v.response_received_on),
            ("outcome", v.outcome),
            ("disposal", v.disposal),
            ("removed_by", removal.by if removal else None),
            ("removed_on", removal.on if removal else None),
            ("completed_on", v.completed_on),
        ]
    )


def _reverse_html(p: _Page, card: RegistrationCard) -> str:
    v = card.reverse
    note = " ".join(p.violation(x, card.as_of) for x in v.violations) or None
    signature = "".join(
        f'<tr><th>{html.escape(p.word(k))}</th><td class="sign"></td></tr>'
        for k in ("sign_performer", "date")
    )
    signature = f"<table><tbody>{signature}</tbody></table>"
    return "".join(
        [
            f"<h3>{html.escape(p.word('consideration'))}</h3>",
            p.grid(
                ["dir_date", "dir_where", "dir_accepted", "dir_current"],
                [
                    (
                        d.dispatched_on,
                        p.unit(d.unit, d.unit_name, d.lead),
                        " ".join(p.plain(x) for x in (d.accepted_on, d.accepted_by) if x) or None,
                        d.current,
                    )
                    for d in v.directions
                ],
            ),
            p.grid(
                ["chg_what", "chg_from", "chg_to", "chg_by", "chg_on", "chg_reason"],
                [
                    (
                        f"{p.word(c.action)} ({p.t.label(c.rule)})",
                        c.previous_due_date,
                        c.due_date,
                        c.by,
                        c.on,
                        c.reason,
                    )
                    for c in v.deadline_changes
                ],
            ),
            _outcome(p, v),
            p.rows([("violation_note", note)], cls="violation"),
            signature,
            f"<h3>{html.escape(p.word('measures'))}</h3>",
            p.grid(
                ["m_type", "m_held", "m_party", "m_desc", "m_result", "m_result_on"],
                [
                    (m.type, m.held_on, _party(m), m.description, m.result, m.result_on)
                    for m in v.measures
                ],
            ),
            f"<h3>{html.escape(p.word('letters'))}</h3>",
            p.grid(
                ["l_kind", "l_state", "l_number", "l_sent", "l_signed", "l_addressee", "l_outcome"],
                [
                    (
                        x.kind,
                        x.state,
                        x.letter_number,
                        x.sent_on,
                        x.signed_by,
                        x.addressee,
                        x.outcome,
                    )
                    for x in v.letters
                ],
            ),
        ]
    )


def render_html(card: RegistrationCard, lang: str = i18n.DEFAULT) -> str:
    """Appendix 2 as one printable A4 page: front side, then reverse side (R-2.2)."""
    p = _Page(i18n.translator(lang))
    w, number = p.word, html.escape(card.number)
    return (
        f'<!DOCTYPE html><html lang="{p.t.lang}"><head><meta charset="utf-8">'
        f"<title>{html.escape(w('title'))} {w('no')} {number}</title>"
        f"<style>{STYLE}</style></head><body>"
        f"<h1>{html.escape(w('title'))}</h1>"
        f'<p class="sub">{w("no")} {number} · {html.escape(w("status"))}: {p.text(card.status)}'
        f" · {html.escape(w('as_of'))} {p.t.date(card.as_of)}</p>"
        f'<section class="front"><h2>{html.escape(w("front"))}</h2>{_front_html(p, card)}</section>'
        f'<section class="reverse"><h2>{html.escape(w("reverse"))}</h2>'
        f"{_reverse_html(p, card)}</section></body></html>"
    )
