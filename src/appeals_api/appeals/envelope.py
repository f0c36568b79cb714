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

from appeals_api.appeals.enums import EnvelopeCheck
from appeals_api.appeals.letters.catalogue import EN, RU, UZ_CYRL, UZ_LATN, language_of

E = EnvelopeCheck

_FOUND: dict[str, dict[EnvelopeCheck, str]] = {
    UZ_LATN: {
        E.APPEAL_MISSING: "pochta orqali kelgan konvertda murojaat yo‘qligi",
        E.DAMAGED: "pochta orqali kelgan konvertdagi murojaat shikastlanganligi",
        E.ATTACHMENTS_MISSING: "murojaatda ko‘rsatilgan ilovalar konvertda yo‘qligi",
    },
    UZ_CYRL: {
        E.APPEAL_MISSING: "почта орқали келган конвертда мурожаат йўқлиги",
        E.DAMAGED: "почта орқали келган конвертдаги мурожаат шикастланганлиги",
        E.ATTACHMENTS_MISSING: "мурожаатда кўрсатилган иловалар конвертда йўқлиги",
    },
    RU: {
        E.APPEAL_MISSING: "в конверте, поступившем по почте, отсутствует обращение",
        E.DAMAGED: "обращение в конверте, поступившем по почте, повреждено",
        E.ATTACHMENTS_MISSING: "в конверте отсутствуют приложения, указанные в обращении",
    },
    EN: {
        E.APPEAL_MISSING: "the envelope received by post does not contain the appeal",
        E.DAMAGED: "the appeal in the envelope received by post is damaged",
        E.ATTACHMENTS_MISSING: "the attachments the appeal lists are missing from the envelope",
    },
}
_SAYS = {
    UZ_LATN: "Konvertni tekshirishda {found} aniqlandi. Ushbu dalolatnoma ikki nusxada tuzildi: "
    "biri murojaat bilan Murojaatlar bo‘limida saqlanadi, ikkinchisi konvertda ko‘rsatilgan "
    "manzil bo‘yicha murojaatchiga yuboriladi (Nizomning 14-bandi).",
    UZ_CYRL: "Конвертни текширишда {found} аниқланди. Ушбу далолатнома икки нусхада тузилди: "
    "бири мурожаат билан Мурожаатлар бўлимида сақланади, иккинчиси конвертда кўрсатилган "
    "манзил бўйича мурожаатчига юборилади (Низомнинг 14-банди).",
    RU: "При вскрытии конверта установлено, что {found}. Настоящий акт составлен в двух "
    "экземплярах: один остаётся с обращением в Отделе по работе с обращениями, другой "
    "направляется заявителю по адресу, указанному на конверте (пункт 14 Положения).",
    EN: "On checking the envelope it was found that {found}. This report is drawn up in two "
    "copies: one is kept with the appeal in the Appeals Department, the other is sent to the "
    "applicant at the address on the envelope (§14 of the Regulation).",
}


def failed_check(paper: dict[str, Any] | None) -> EnvelopeCheck | None:
    """What a failed check found (R-1.6), or None when it passed or was not recorded."""
    found = (paper or {}).get("envelope_check")
    if found is None or E(found) is E.OK:
        return None
    return E(found)


def report_text(found: EnvelopeCheck, language: str | None) -> str:
    """§14: the report's text in the appeal's language (uz-Latn for one without a catalogue)."""
    lang = language_of(language)
    return _SAYS[lang].format(found=_FOUND[lang][found])
