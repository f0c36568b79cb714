"""What a printed letter says around its text, per language (R-6.4): the company's letterhead,
the labels, each kind's title and opening, the outcomes. uz-Latn, uz-Cyrl, ru, en.

A letter in another language (e.g. `kaa`) is printed with the state language's words (uz-Latn);
its own text is printed as written.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

from appeals_api.appeals.enums import LetterKind, Outcome

K, OC = LetterKind, Outcome
UZ_LATN, UZ_CYRL, RU, EN = "uz-Latn", "uz-Cyrl", "ru", "en"
LANGUAGES: Final = (UZ_LATN, UZ_CYRL, RU, EN)


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


def _kinds(values: dict[LetterKind, str]) -> MappingProxyType[LetterKind, str]:
    assert set(values) == set(LetterKind), set(LetterKind) - set(values)
    return MappingProxyType(values)


def _outcomes(values: dict[Outcome, str]) -> MappingProxyType[Outcome, str]:
    assert set(values) == set(Outcome)
    return MappingProxyType(values)


_UZ_LATN = Catalogue(
    lang="uz-Latn",
    company="«Olmaliq KMK» AJ",
    company_full="«Olmaliq kon-metallurgiya kombinati» aksiyadorlik jamiyati",
    address="110100, Toshkent viloyati, Olmaliq shahri, Amir Temur ko‘chasi, 53",
    number="№",
    date="Sana",
    to="Kimga",
    re="Murojaat",
    outcome="Ko‘rib chiqish natijasi",
    grounds="Asoslar",
    signer="Imzolovchi",
    signature="Imzo",
    draft="LOYIHA — imzolanmagan",
    titles=_kinds(
        {
            K.RESPONSE: "Murojaatga javob",
            K.INTERIM: "Oraliq javob",
            K.WITHDRAWAL_ANSWER: "Murojaatni qaytarib olish to‘g‘risidagi arizaga javob",
            K.FORWARD: "Murojaatni yuborish to‘g‘risida",
            K.RETURN: "Murojaatni qaytarish to‘g‘risida",
            K.DUPLICATE_NOTICE: "Takroriy nusxa to‘g‘risida xabarnoma",
            K.CLARIFICATION: "Javobga tushuntirish",
            K.STUDY_NOTICE: "Qo‘shimcha o‘rganish to‘g‘risida xabarnoma",
            K.LEFT_WITHOUT_CONSIDERATION: "Murojaatni ko‘rmasdan qoldirish to‘g‘risida",
            K.TERMINATION: "Murojaatni ko‘rib chiqishni tugatish to‘g‘risida",
            K.ENVELOPE_REPORT: "Konvertni tekshirish dalolatnomasi",
        }
    ),
    openings=_kinds(
        {
            K.RESPONSE: "{received} dagi {number}-son murojaatingiz ko‘rib chiqildi.",
            K.INTERIM: "{received} dagi {number}-son murojaatingiz ko‘rib chiqilmoqda.",
            K.WITHDRAWAL_ANSWER: "{received} dagi {number}-son murojaatingizni qaytarib olish "
            "to‘g‘risidagi arizangiz ko‘rib chiqildi.",
            K.FORWARD: "{received} dagi {number}-son murojaat vakolatingizga kirgani sababli "
            "sizga yuborilmoqda.",
            K.RETURN: "{received} dagi {number}-son murojaatingiz quyidagi sababga ko‘ra "
            "qaytarilmoqda.",
            K.DUPLICATE_NOTICE: "{received} dagi {number}-son murojaatingizga avval javob "
            "berilgan.",
            K.CLARIFICATION: "{received} dagi {number}-son murojaatingizga berilgan javobga "
            "tushuntirish.",
            K.STUDY_NOTICE: "{received} dagi {number}-son taklifingiz qo‘shimcha o‘rganishni "
            "talab qiladi.",
            K.LEFT_WITHOUT_CONSIDERATION: "{received} dagi {number}-son murojaatingiz ko‘rmasdan "
            "qoldirildi.",
            K.TERMINATION: "{received} dagi {number}-son murojaatingizni ko‘rib chiqish tugatildi.",
            K.ENVELOPE_REPORT: "{received} da pochta orqali kelgan {number}-son murojaat.",
        }
    ),
    outcomes=_outcomes(
        {
            OC.SATISFIED: "qanoatlantirildi",
            OC.PARTIALLY_SATISFIED: "qisman qanoatlantirildi",
            OC.EXPLAINED: "tushuntirish berildi",
            OC.REJECTED: "rad etildi",
        }
    ),
    appeal_right="Ushbu qarordan yuqori turuvchi organga yoki sudga shikoyat qilishingiz mumkin.",
)

_UZ_CYRL = Catalogue(
    lang="uz-Cyrl",
    company="«Олмалиқ КМК» АЖ",
    company_full="«Олмалиқ кон-металлургия комбинати» акциядорлик жамияти",
    address="110100, Тошкент вилояти, Олмалиқ шаҳри, Амир Темур кўчаси, 53",
    number="№",
    date="Сана",
    to="Кимга",
    re="Мурожаат",
    outcome="Кўриб чиқиш натижаси",
    grounds="Асослар",
    signer="Имзоловчи",
    signature="Имзо",
    draft="ЛОЙИҲА — имзоланмаган",
    titles=_kinds(
        {
            K.RESPONSE: "Мурожаатга жавоб",
            K.INTERIM: "Оралиқ жавоб",
            K.WITHDRAWAL_ANSWER: "Мурожаатни қайтариб олиш тўғрисидаги аризага жавоб",
            K.FORWARD: "Мурожаатни юбориш тўғрисида",
            K.RETURN: "Мурожаатни қайтариш тўғрисида",
            K.DUPLICATE_NOTICE: "Такрорий нусха тўғрисида хабарнома",
            K.CLARIFICATION: "Жавобга тушунтириш",
            K.STUDY_NOTICE: "Қўшимча ўрганиш тўғрисида хабарнома",
            K.LEFT_WITHOUT_CONSIDERATION: "Мурожаатни кўрмасдан қолдириш тўғрисида",
            K.TERMINATION: "Мурожаатни кўриб чиқишни тугатиш тўғрисида",
            K.ENVELOPE_REPORT: "Конвертни текшириш далолатномаси",
        }
    ),
    openings=_kinds(
        {
            K.RESPONSE: "{received} даги {number}-сон мурожаатингиз кўриб чиқилди.",
            K.INTERIM: "{received} даги {number}-сон мурожаатингиз кўриб чиқилмоқда.",
            K.WITHDRAWAL_ANSWER: "{received} даги {number}-сон мурожаатингизни қайтариб олиш "
            "тўғрисидаги аризангиз кўриб чиқилди.",
            K.FORWARD: "{received} даги {number}-сон мурожаат ваколатингизга киргани сабабли "
            "сизга юборилмоқда.",
            K.RETURN: "{received} даги {number}-сон мурожаатингиз қуйидаги сабабга кўра "
            "қайтарилмоқда.",
            K.DUPLICATE_NOTICE: "{received} даги {number}-сон мурожаатингизга аввал жавоб "
            "берилган.",
            K.CLARIFICATION: "{received} даги {number}-сон мурожаатингизга берилган жавобга "
            "тушунтириш.",
            K.STUDY_NOTICE: "{received} даги {number}-сон таклифингиз қўшимча ўрганишни "
            "талаб қилади.",
            K.LEFT_WITHOUT_CONSIDERATION: "{received} даги {number}-сон мурожаатингиз кўрмасдан "
            "қолдирилди.",
            K.TERMINATION: "{received} даги {number}-сон мурожаатингизни кўриб чиқиш тугатилди.",
            K.ENVELOPE_REPORT: "{received} да почта орқали келган {number}-сон мурожаат.",
        }
    ),
    outcomes=_outcomes(
        {
            OC.SATISFIED: "қаноатлантирилди",
            OC.PARTIALLY_SATISFIED: "қисман қаноатлантирилди",
            OC.EXPLAINED: "тушунтириш берилди",
            OC.REJECTED: "рад этилди",
        }
    ),
    appeal_right="Ушбу қарордан юқори турувчи органга ёки судга шикоят қилишингиз мумкин.",
)

_RU = Catalogue(
    lang="ru",
    company="АО «Алмалыкский ГМК»",
    company_full="Акционерное общество «Алмалыкский горно-металлургический комбинат»",
    address="110100, Ташкентская область, г. Алмалык, ул. Амира Темура, 53",
    number="№",
    date="Дата",
    to="Кому",
    re="Обращение",
    outcome="Результат рассмотрения",
    grounds="Основания",
    signer="Подписал",
    signature="Подпись",
    draft="ПРОЕКТ — не подписан",
    titles=_kinds(
        {
            K.RESPONSE: "Ответ на обращение",
            K.INTERIM: "Промежуточный ответ",
            K.WITHDRAWAL_ANSWER: "Ответ на заявление об отзыве обращения",
            K.FORWARD: "О направлении обращения",
            K.RETURN: "О возврате обращения",
            K.DUPLICATE_NOTICE: "Уведомление о дубликате обращения",
            K.CLARIFICATION: "Разъяснение ответа",
            K.STUDY_NOTICE: "Уведомление о дополнительном изучении",
            K.LEFT_WITHOUT_CONSIDERATION: "Об оставлении обращения без рассмотрения",
            K.TERMINATION: "О прекращении рассмотрения обращения",
            K.ENVELOPE_REPORT: "Акт проверки конверта",
        }
    ),
    openings=_kinds(
        {
            K.RESPONSE: "Ваше обращение № {number} от {received} рассмотрено.",
            K.INTERIM: "Ваше обращение № {number} от {received} находится на рассмотрении.",
            K.WITHDRAWAL_ANSWER: "Ваше заявление об отзыве обращения № {number} от {received} "
            "рассмотрено.",
            K.FORWARD: "Обращение № {number} от {received} направляется Вам по компетенции.",
            K.RETURN: "Ваше обращение № {number} от {received} возвращается по следующей причине.",
            K.DUPLICATE_NOTICE: "На Ваше обращение № {number} от {received} ответ уже дан.",
            K.CLARIFICATION: "Разъяснение ответа на Ваше обращение № {number} от {received}.",
            K.STUDY_NOTICE: "Ваше предложение № {number} от {received} требует "
            "дополнительного изучения.",
            K.LEFT_WITHOUT_CONSIDERATION: "Ваше обращение № {number} от {received} оставлено "
            "без рассмотрения.",
            K.TERMINATION: "Рассмотрение Вашего обращения № {number} от {received} прекращено.",
            K.ENVELOPE_REPORT: "Обращение № {number}, поступившее по почте {received}.",
        }
    ),
    outcomes=_outcomes(
        {
            OC.SATISFIED: "удовлетворено",
            OC.PARTIALLY_SATISFIED: "удовлетворено частично",
            OC.EXPLAINED: "даны разъяснения",
            OC.REJECTED: "отказано",
        }
    ),
    appeal_right="Вы вправе обжаловать это решение в вышестоящий орган или в суд.",
)

_EN = Catalogue(
    lang="en",
    company='JSC "Almalyk MMC"',
    company_full='Joint-Stock Company "Almalyk Mining and Metallurgical Combine"',
    address="53 Amir Temur street, Almalyk, Tashkent region, 110100, Uzbekistan",
    number="No.",
    date="Date",
    to="To",
    re="Appeal",
    outcome="Outcome",
    grounds="Grounds",
    signer="Signed by",
    signature="Signature",
    draft="DRAFT — not signed",
    titles=_kinds(
        {
            K.RESPONSE: "Response to the appeal",
            K.INTERIM: "Interim response",
            K.WITHDRAWAL_ANSWER: "Answer to the withdrawal of the appeal",
            K.FORWARD: "Forwarding of the appeal",
            K.RETURN: "Return of the appeal",
            K.DUPLICATE_NOTICE: "Notice of a duplicate appeal",
            K.CLARIFICATION: "Clarification of the response",
            K.STUDY_NOTICE: "Notice of additional study",
            K.LEFT_WITHOUT_CONSIDERATION: "The appeal is left without consideration",
            K.TERMINATION: "Termination of the consideration of the appeal",
            K.ENVELOPE_REPORT: "Report of the envelope check",
        }
    ),
    openings=_kinds(
        {
            K.RESPONSE: "Your appeal No. {number} of {received} has been considered.",
            K.INTERIM: "Your appeal No. {number} of {received} is being considered.",
            K.WITHDRAWAL_ANSWER: "Your withdrawal of the appeal No. {number} of {received} has "
            "been considered.",
            K.FORWARD: "The appeal No. {number} of {received} is forwarded to you as the "
            "competent body.",
            K.RETURN: "Your appeal No. {number} of {received} is returned for the following "
            "reason.",
            K.DUPLICATE_NOTICE: "Your appeal No. {number} of {received} has already been answered.",
            K.CLARIFICATION: "A clarification of the response to your appeal No. {number} of "
            "{received}.",
            K.STUDY_NOTICE: "Your proposal No. {number} of {received} needs additional study.",
            K.LEFT_WITHOUT_CONSIDERATION: "Your appeal No. {number} of {received} is left "
            "without consideration.",
            K.TERMINATION: "The consideration of your appeal No. {number} of {received} is "
            "terminated.",
            K.ENVELOPE_REPORT: "Appeal No. {number} received by post on {received}.",
        }
    ),
    outcomes=_outcomes(
        {
            OC.SATISFIED: "satisfied",
            OC.PARTIALLY_SATISFIED: "partially satisfied",
            OC.EXPLAINED: "explained",
            OC.REJECTED: "rejected",
        }
    ),
    appeal_right="You may appeal this decision to a higher body or to a court.",
)

CATALOGUES: Final = MappingProxyType(
    {UZ_LATN: _UZ_LATN, UZ_CYRL: _UZ_CYRL, RU: _RU, EN: _EN},
)


def language_of(tag: str | None) -> str:
    """The catalogue for a BCP 47 tag: `uz`/`uz-Latn` → uz-Latn, `uz-Cyrl`, `ru-*`, `en-*`;
    anything else the state language, uz-Latn."""
    parts = (tag or "").lower().replace("_", "-").split("-")
    if parts[0] == "uz":
        return UZ_CYRL if "cyrl" in parts[1:] else UZ_LATN
    return {"ru": RU, "en": EN}.get(parts[0], UZ_LATN)


def catalogue(tag: str | None) -> Catalogue:
    return CATALOGUES[language_of(tag)]
