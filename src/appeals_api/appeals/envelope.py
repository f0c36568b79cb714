"""The report of a failed envelope check (§14, R-1.6): what it says, in the appeal's language.

A posted appeal's envelope is checked for the appeal and its attachments; when the appeal is
missing or damaged, or attachments are missing, a report is drawn up in two copies: one stays
with the appeal, the other goes to the applicant at the address on the envelope. The report is
a letter of kind `envelope_report`, drawn up and signed by the Appeals Department official who
recorded the check (§14 names no other signer) — at intake, or by the correction that records
a failing check later — and sent by the registrar (`send_envelope_report`), which notifies the
applicant (`appeal.applicant_notice`, reason `envelope_report`).
"""

from __future__ import annotations

from typing import Any

from appeals_api import i18n
from appeals_api.appeals.enums import EnvelopeCheck
from appeals_api.appeals.letters.catalogue import language_of

E = EnvelopeCheck


def _found(t: i18n.Translator, found: EnvelopeCheck) -> str:
    """What the check found, as the report's sentence says it (letters.po)."""
    if found is E.APPEAL_MISSING:
        return t.pgettext("letter", "the envelope received by post does not contain the appeal")
    if found is E.DAMAGED:
        return t.pgettext("letter", "the appeal in the envelope received by post is damaged")
    return t.pgettext("letter", "the attachments the appeal lists are missing from the envelope")


def failed_check(paper: dict[str, Any] | None) -> EnvelopeCheck | None:
    """What a failed check found (R-1.6), or None when it passed or was not recorded."""
    found = (paper or {}).get("envelope_check")
    if found is None or E(found) is E.OK:
        return None
    return E(found)


def report_text(found: EnvelopeCheck, language: str | None) -> str:
    """§14: the report's text in the appeal's language (uz for one without a catalog)."""
    t = i18n.translator(language_of(language))
    return t.pgettext(
        "letter",
        "On checking the envelope it was found that {found}. This report is drawn up in two "
        "copies: one is kept with the appeal in the Appeals Department, the other is sent to the "
        "applicant at the address on the envelope (§14 of the Regulation).",
        found=_found(t, found),
    )
