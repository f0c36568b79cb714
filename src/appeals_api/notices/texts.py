"""The words of a notice (R-8.4), in the appeal's language (catalogs `notices.po`), dates as
dd.mm.yyyy: the e-mail's subject and body, and the SMS."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from appeals_api import i18n

# The reasons an applicant is told of (R-8.4, and the other notices the lifecycle emits).
REASONS = (
    "receipt",
    "deadline_extended",
    "forwarded",
    "returned",
    "left_without_consideration",
    "terminated",
    "response_sent",
    "withdrawal_answered",
    "study_notice",
    "already_answered",
    "envelope_report",
)


@dataclass(frozen=True)
class Facts:
    """What a notice says: the appeal's number, the event's data and moment, the code (the
    receipt only)."""

    number: str
    data: dict[str, Any]
    at: datetime
    code: str | None = None


@dataclass(frozen=True)
class Rendered:
    subject: str
    email: str
    sms: str


def language_of(tag: str) -> str:
    """The appeal's language as one the catalogs print (R-1.4 admits any tag: kaa reads uz)."""
    return i18n.negotiate(None, tag)


def render(reason: str, lang: str, facts: Facts) -> Rendered:
    t = i18n.translator(language_of(lang))
    text = _words(t, reason, facts)
    email = "\n\n".join(
        (
            t.pgettext("notice", "greeting"),
            text,
            t.pgettext("notice", "signature"),
            t.pgettext("notice", "no_reply"),
        )
    )
    return Rendered(
        subject=t.pgettext("notice", "subject", number=facts.number),
        email=email + "\n",
        sms=t.pgettext("notice", "sms", text=text),
    )


def _day(t: i18n.Translator, value: Any) -> str:
    return t.date(date.fromisoformat(str(value)))


def _words(t: i18n.Translator, reason: str, f: Facts) -> str:
    n, d = f.number, f.data
    if reason == "receipt":
        on = t.date(f.at.astimezone(i18n.TASHKENT).date())
        return t.pgettext("notice", "receipt", number=n, date=on, code=f.code)
    if reason == "deadline_extended":
        return t.pgettext("notice", "deadline_extended", number=n, date=_day(t, d["due_date"]))
    if reason == "study_notice":
        return t.pgettext("notice", "study_notice", number=n, date=_day(t, d["due_date"]))
    if reason == "forwarded":
        return t.pgettext("notice", "forwarded", number=n, body=d.get("body") or "")
    if reason == "response_sent":
        outcome = t.label(str(d.get("outcome")))
        return t.pgettext("notice", "response_sent", number=n, outcome=outcome)
    if reason == "returned":
        return t.pgettext("notice", "returned", number=n)
    if reason == "left_without_consideration":
        return t.pgettext("notice", "left_without_consideration", number=n)
    if reason == "terminated":
        return t.pgettext("notice", "terminated", number=n)
    if reason == "withdrawal_answered":
        return t.pgettext("notice", "withdrawal_answered", number=n)
    if reason == "already_answered":
        return t.pgettext("notice", "already_answered", number=n)
    if reason == "envelope_report":
        return t.pgettext("notice", "envelope_report", number=n)
    raise ValueError(f"no words for the notice {reason!r}")
