"""The registration card (Appendix 2) as one printable HTML page; every value escaped."""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from enum import Enum

from appeals_api.appeals.card.schemas import (
    CardControl,
    CardDeadlineChange,
    CardDirection,
    CardLetter,
    CardMeasure,
    CardRelated,
    CardReverse,
    RegistrationCard,
)

STYLE = """
body { font: 11pt/1.35 "Times New Roman", serif; margin: 1.5cm; color: #000; }
h1 { font-size: 14pt; text-align: center; text-transform: uppercase; margin: 0 0 .2em; }
h2 { font-size: 12pt; margin: 1.2em 0 .4em; } h3 { font-size: 11pt; margin: 1em 0 .3em; }
p.sub { text-align: center; margin: 0 0 1em; } .violation { font-weight: bold; }
table { width: 100%; border-collapse: collapse; margin-bottom: .6em; }
th, td { border: 1px solid #000; padding: 3px 6px; vertical-align: top; text-align: left; }
th { background: #eee; } tbody th { width: 32%; font-weight: normal; }
td { white-space: pre-wrap; overflow-wrap: anywhere; } td.sign { height: 2em; }
@media print { body { margin: 0; } section.reverse { break-before: page; } }
@media print { th { background: none; } }
"""


def _plain(value: object) -> str:
    """A value as printed on the card, not yet escaped."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return str(value.value).replace("_", " ")
    if isinstance(value, dict):
        return "; ".join(f"{_plain(k)}: {_plain(v)}" for k, v in value.items())
    return str(value)


def _text(value: object) -> str:
    return html.escape(_plain(value))


def _rows(pairs: Iterable[tuple[str, object]], *, cls: str = "") -> str:
    attr = f' class="{cls}"' if cls else ""
    body = "".join(f"<tr><th>{html.escape(k)}</th><td{attr}>{_text(v)}</td></tr>" for k, v in pairs)
    return f"<table><tbody>{body}</tbody></table>"


def _grid(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{_text(v)}</td>" for v in r) + "</tr>" for r in rows)
    if not body:
        body = f'<tr><td colspan="{len(headers)}">—</td></tr>'
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _both(a: object, b: object) -> str:
    return " ".join(_plain(x) for x in (a, b) if x is not None) or "—"


def _unit(code: str, name: str | None, lead: bool) -> str:
    named = code if name in (None, code) else f"{name} ({code})"
    return f"{named} — lead" if lead else named


def _related(related: CardRelated | None) -> str | None:
    if related is None:
        return None
    received = related.received_on.isoformat() if related.received_on else "date unknown"
    return f"{related.relation.value}: No. {related.number} of {received}"


def _control(control: CardControl) -> str:
    return ", ".join(x for x in (_plain(control.type), control.body, control.reference) if x)


def _front_html(card: RegistrationCard) -> str:
    f = card.front
    applicants = "\n".join(a.name or "(no name)" for a in f.applicants) or None
    units = ", ".join(_unit(u.code, u.name, u.lead) for u in f.units)
    executors = ", ".join(f"{e.name} ({e.unit})" for e in f.executors)
    r = f.resolution
    return _rows(
        [
            ("Serial number", f.serial_number),
            ("Question", f.question),
            ("Applicant (applicants)", applicants),
            ("Address", f.address),
            ("Representative", f.representative),
            ("Date of receipt of the appeal", f.received_on),
            ("Number of applicants", f.applicant_count),
            ("Form of address", f.form),
            ("Number of sheets", f.sheets),
            ("Attachments", f.attachments),
            ("Reception form", f.channel),
            ("Duplicate / repeat: date and number of the previous appeal", _related(f.related)),
            ("Type of appeal", f.kind),
            ("Type of control", _control(f.control)),
            ("Brief summary of the appeal", f.summary),
            (
                "The manager who signed the resolution",
                f"{r.signed_by}, {r.signed_on}" if r else None,
            ),
            ("Resolution (instruction) of the manager", r.instruction if r else None),
            ("Completion date", f.due_date),
            ("Original completion date", f.original_due_date),
            ("Structural division", units),
            ("Executor", executors),
        ]
    )


SIGNATURE = (
    '<table><tbody><tr><th>Signature of the performer</th><td class="sign"></td></tr>'
    '<tr><th>Date</th><td class="sign"></td></tr></tbody></table>'
)


def _directions(directions: Sequence[CardDirection]) -> str:
    return _grid(
        ["Date of direction", "Where is it directed", "Accepted", "Current"],
        [
            (
                d.dispatched_on,
                _unit(d.unit, d.unit_name, d.lead),
                _both(d.accepted_on, d.accepted_by),
                d.current,
            )
            for d in directions
        ],
    )


def _deadline_changes(changes: Sequence[CardDeadlineChange]) -> str:
    return _grid(
        ["The deadline has been", "From", "To", "By (signature)", "On", "Reason"],
        [
            (f"{c.action}ed ({c.rule})", c.previous_due_date, c.due_date, c.by, c.on, c.reason)
            for c in changes
        ],
    )


def _outcome(v: CardReverse) -> str:
    letter = v.response_letter
    removal = v.removed_from_control
    return _rows(
        [
            (
                "Number and date of the response letter",
                f"No. {letter.letter_number or '—'} of {letter.sent_on or 'not sent'}"
                if letter
                else None,
            ),
            ("Date of receipt of the response letter", v.response_received_on),
            ("Summary of the review results", v.outcome),
            ("Other way out of consideration", v.disposal),
            ("Removed from control (by whom)", removal.by if removal else None),
            ("Removed from control (date)", removal.on if removal else None),
            ("Completion date", v.completed_on),
        ]
    )


def _measures(measures: Sequence[CardMeasure]) -> str:
    return _grid(
        ["Type", "Held on", "Party", "Description", "Result", "Result on"],
        [(m.type, m.held_on, m.party, m.description, m.result, m.result_on) for m in measures],
    )


def _letters(letters: Sequence[CardLetter]) -> str:
    return _grid(
        ["Kind", "State", "Number", "Sent on", "Signed by", "Addressee", "Outcome"],
        [
            (x.kind, x.state, x.letter_number, x.sent_on, x.signed_by, x.addressee, x.outcome)
            for x in letters
        ],
    )


def _reverse_html(card: RegistrationCard) -> str:
    v = card.reverse
    parts = [
        "<h3>Status of consideration of the appeal</h3>",
        _directions(v.directions),
        _deadline_changes(v.deadline_changes),
        _outcome(v),
        _rows([("Note on violation of the deadline", v.violation_note)], cls="violation"),
        SIGNATURE,
        "<h3>Measures taken (R-5.1)</h3>",
        _measures(v.measures),
        "<h3>Letters</h3>",
        _letters(v.letters),
    ]
    return "".join(parts)


def render_html(card: RegistrationCard) -> str:
    """Appendix 2 as one printable page: front side, then reverse side (R-2.2)."""
    number = html.escape(card.number)
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>Registration card No. {number}</title><style>{STYLE}</style></head><body>"
        "<h1>Registration card for appeals of individuals and legal entities</h1>"
        f'<p class="sub">No. {number} · status {_text(card.status)} · '
        f"as of {card.as_of.isoformat()}</p>"
        f'<section class="front"><h2>Front side</h2>{_front_html(card)}</section>'
        f'<section class="reverse"><h2>Reverse side</h2>{_reverse_html(card)}</section>'
        "</body></html>"
    )
