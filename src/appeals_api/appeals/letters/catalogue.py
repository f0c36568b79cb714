"""What a printed letter says around its text, in the letter's language (R-6.4): the company's
letterhead, the labels, each kind's title and opening, the outcomes — all from `letters.po`.

A letter in another language (e.g. `kaa`) is printed with the state language's words (uz);
its own text is printed as written.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from types import MappingProxyType

from appeals_api import i18n
from appeals_api.appeals.enums import LetterKind, Outcome

K, OC = LetterKind, Outcome
# The HTML `lang` attribute of each language's page.
HTML_LANG = {"uz": "uz-Latn", "uz-Cyrl": "uz-Cyrl", "ru": "ru", "en": "en"}


@dataclass(frozen=True)
class Catalogue:
    """The words of one language. `opening` takes `{number}` and `{received}` (the appeal's)."""

    lang: str  # the HTML `lang` attribute
    company: str
    company_full: str
    address: str
    number: str
    date: str
    to: str
    re: str
    outcome: str
    grounds: str
    signer: str
    signature: str
    draft: str
    titles: MappingProxyType[LetterKind, str]
    openings: MappingProxyType[LetterKind, str]
    outcomes: MappingProxyType[Outcome, str]
    appeal_right: str  # how to appeal the decision (§39, §64): under a response


def language_of(tag: str | None) -> str:
    """The language a letter prints in, for its BCP 47 tag: `uz`/`uz-Latn` → uz, `uz-Cyrl`,
    `ru-*`, `en-*`; anything else the state language, uz."""
    parts = (tag or "").lower().replace("_", "-").split("-")
    if parts[0] == "uz":
        return "uz-Cyrl" if "cyrl" in parts[1:] else "uz"
    return {"ru": "ru", "en": "en"}.get(parts[0], i18n.DEFAULT)


def _titles(t: i18n.Translator) -> dict[LetterKind, str]:
    return {
        K.RESPONSE: t.pgettext("letter", "Response to the appeal"),
        K.INTERIM: t.pgettext("letter", "Interim response"),
        K.WITHDRAWAL_ANSWER: t.pgettext("letter", "Answer to the withdrawal of the appeal"),
        K.FORWARD: t.pgettext("letter", "Forwarding of the appeal"),
        K.RETURN: t.pgettext("letter", "Return of the appeal"),
        K.DUPLICATE_NOTICE: t.pgettext("letter", "Notice of a duplicate appeal"),
        K.CLARIFICATION: t.pgettext("letter", "Clarification of the response"),
        K.STUDY_NOTICE: t.pgettext("letter", "Notice of additional study"),
        K.LEFT_WITHOUT_CONSIDERATION: t.pgettext(
            "letter", "The appeal is left without consideration"
        ),
        K.TERMINATION: t.pgettext("letter", "Termination of the consideration of the appeal"),
        K.ENVELOPE_REPORT: t.pgettext("letter", "Report of the envelope check"),
    }


def _openings(t: i18n.Translator) -> dict[LetterKind, str]:
    """The first sentence of each kind, `{number}` and `{received}` left to fill."""
    return {
        K.RESPONSE: t.pgettext(
            "letter", "Your appeal No. {number} of {received} has been considered."
        ),
        K.INTERIM: t.pgettext(
            "letter", "Your appeal No. {number} of {received} is being considered."
        ),
        K.WITHDRAWAL_ANSWER: t.pgettext(
            "letter",
            "Your withdrawal of the appeal No. {number} of {received} has been considered.",
        ),
        K.FORWARD: t.pgettext(
            "letter",
            "The appeal No. {number} of {received} is forwarded to you as the competent body.",
        ),
        K.RETURN: t.pgettext(
            "letter", "Your appeal No. {number} of {received} is returned for the following reason."
        ),
        K.DUPLICATE_NOTICE: t.pgettext(
            "letter", "Your appeal No. {number} of {received} has already been answered."
        ),
        K.CLARIFICATION: t.pgettext(
            "letter", "A clarification of the response to your appeal No. {number} of {received}."
        ),
        K.STUDY_NOTICE: t.pgettext(
            "letter", "Your proposal No. {number} of {received} needs additional study."
        ),
        K.LEFT_WITHOUT_CONSIDERATION: t.pgettext(
            "letter", "Your appeal No. {number} of {received} is left without consideration."
        ),
        K.TERMINATION: t.pgettext(
            "letter", "The consideration of your appeal No. {number} of {received} is terminated."
        ),
        K.ENVELOPE_REPORT: t.pgettext(
            "letter", "Appeal No. {number} received by post on {received}."
        ),
    }


def _outcomes(t: i18n.Translator) -> dict[Outcome, str]:
    return {
        OC.SATISFIED: t.pgettext("letter", "satisfied"),
        OC.PARTIALLY_SATISFIED: t.pgettext("letter", "partially satisfied"),
        OC.EXPLAINED: t.pgettext("letter", "explained"),
        OC.REJECTED: t.pgettext("letter", "rejected"),
    }


def catalogue(tag: str | None) -> Catalogue:
    """The words of the language a letter in `tag` prints in."""
    return _catalogue(language_of(tag))


@functools.cache
def _catalogue(lang: str) -> Catalogue:
    t = i18n.translator(lang)
    return Catalogue(
        lang=HTML_LANG[lang],
        company=t.pgettext("letter", 'JSC "Almalyk MMC"'),
        company_full=t.pgettext(
            "letter", 'Joint-Stock Company "Almalyk Mining and Metallurgical Combine"'
        ),
        address=t.pgettext(
            "letter", "53 Amir Temur street, Almalyk, Tashkent region, 110100, Uzbekistan"
        ),
        number=t.pgettext("letter", "No."),
        date=t.pgettext("letter", "Date"),
        to=t.pgettext("letter", "To"),
        re=t.pgettext("letter", "Appeal"),
        outcome=t.pgettext("letter", "Outcome"),
        grounds=t.pgettext("letter", "Grounds"),
        signer=t.pgettext("letter", "Signed by"),
        signature=t.pgettext("letter", "Signature"),
        draft=t.pgettext("letter", "DRAFT — not signed"),
        titles=MappingProxyType(_titles(t)),
        openings=MappingProxyType(_openings(t)),
        outcomes=MappingProxyType(_outcomes(t)),
        appeal_right=t.pgettext(
            "letter", "You may appeal this decision to a higher body or to a court."
        ),
    )
