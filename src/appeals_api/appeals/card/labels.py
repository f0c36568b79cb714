"""The printed card's words in the four languages of API.md (uz Latin, uz-Cyrl, ru, en).

One row per label: (uz, uz-Cyrl, ru, en). Codes without a row print as their English code.
"""

from __future__ import annotations

from datetime import date

from appeals_api.appeals.card.codes import CODES

LANGUAGES = ("uz", "uz-Cyrl", "ru", "en")
DEFAULT = "uz"
_ALIASES = {"uz-latn": "uz", "uz": "uz", "uz-cyrl": "uz-Cyrl", "ru": "ru", "en": "en"}

L: dict[str, tuple[str, str, str, str]] = {
    "title": (
        "Jismoniy va yuridik shaxslarning murojaatlarini roʻyxatga olish kartochkasi",
        "Жисмоний ва юридик шахсларнинг мурожаатларини рўйхатга олиш карточкаси",
        "Регистрационная карточка обращений физических и юридических лиц",
        "Registration card for appeals of individuals and legal entities",
    ),
    "no": ("№", "№", "№", "No."),
    "status": ("holati", "ҳолати", "статус", "status"),
    "as_of": ("sana holatiga", "сана ҳолатига", "по состоянию на", "as of"),
    "front": ("Old tomoni", "Олд томони", "Лицевая сторона", "Front side"),
    "reverse": ("Orqa tomoni", "Орқа томони", "Оборотная сторона", "Reverse side"),
    "serial_number": ("Tartib raqami", "Тартиб рақами", "Порядковый номер", "Serial number"),
    "registration_date": (
        "Roʻyxatga olingan sana",
        "Рўйхатга олинган сана",
        "Дата регистрации",
        "Registration date",
    ),
    "counted_from": (
        "Muddat hisoblanadigan sana",
        "Муддат ҳисобланадиган сана",
        "Дата начала исчисления срока",
        "Deadlines counted from",
    ),
    "question": ("Masala", "Масала", "Вопрос", "Question"),
    "applicants": (
        "Murojaatchi (murojaatchilar)",
        "Мурожаатчи (мурожаатчилар)",
        "Заявитель (заявители)",
        "Applicant (applicants)",
    ),
    "address": ("Manzil", "Манзил", "Адрес", "Address"),
    "representative": ("Vakil", "Вакил", "Представитель", "Representative"),
    "received_on": (
        "Murojaat kelib tushgan sana",
        "Мурожаат келиб тушган сана",
        "Дата поступления обращения",
        "Date of receipt of the appeal",
    ),
    "applicant_count": (
        "Murojaatchilar soni",
        "Мурожаатчилар сони",
        "Количество заявителей",
        "Number of applicants",
    ),
    "form": ("Murojaat shakli", "Мурожаат шакли", "Форма обращения", "Form of address"),
    "sheets": ("Varaqlar soni", "Варақлар сони", "Количество листов", "Number of sheets"),
    "attachments": ("Ilovalar", "Иловалар", "Приложения", "Attachments"),
    "channel": ("Qabul qilish shakli", "Қабул қилиш шакли", "Форма приёма", "Reception form"),
    "related": (
        "Takroriy / qayta: oldingi murojaatning sanasi va raqami",
        "Такрорий / қайта: олдинги мурожаатнинг санаси ва рақами",
        "Дубликат / повторное: дата и номер предыдущего обращения",
        "Duplicate / repeat: date and number of the previous appeal",
    ),
    "kind": ("Murojaat turi", "Мурожаат тури", "Вид обращения", "Type of appeal"),
    # R-3.5 (§16): a complaint to a higher authority filed more than a year late.
    "late_complaint": (
        "Bir yillik muddat oʻtgach berilgan (§16)",
        "Бир йиллик муддат ўтгач берилган (§16)",
        "Подано по истечении года (§16)",
        "Filed after the one-year term (§16)",
    ),
    "late_learned": (
        "buzilish haqida {on} da bilgan",
        "бузилиш ҳақида {on} да билган",
        "о нарушении узнал(а) {on}",
        "learned of the violation on {on}",
    ),
    "late_restored": (
        "muddat {on} da tiklangan ({by})",
        "муддат {on} да тикланган ({by})",
        "срок восстановлен {on} ({by})",
        "the term restored on {on} ({by})",
    ),
    "control": ("Nazorat turi", "Назорат тури", "Вид контроля", "Type of control"),
    "summary": (
        "Murojaatning qisqacha mazmuni",
        "Мурожаатнинг қисқача мазмуни",
        "Краткое содержание обращения",
        "Brief summary of the appeal",
    ),
    "resolution_signer": (
        "Rezolyutsiyani imzolagan rahbar",
        "Резолюцияни имзолаган раҳбар",
        "Руководитель, подписавший резолюцию",
        "The manager who signed the resolution",
    ),
    "resolution": (
        "Rahbarning rezolyutsiyasi (topshirigʻi)",
        "Раҳбарнинг резолюцияси (топшириғи)",
        "Резолюция (поручение) руководителя",
        "Resolution (instruction) of the manager",
    ),
    "answer_due": ("Javob berish muddati", "Жавоб бериш муддати", "Срок ответа", "Answer deadline"),
    "answer_due_original": (
        "Dastlabki javob berish muddati",
        "Дастлабки жавоб бериш муддати",
        "Первоначальный срок ответа",
        "Original answer deadline",
    ),
    "units": (
        "Tarkibiy boʻlinma",
        "Таркибий бўлинма",
        "Структурное подразделение",
        "Structural division",
    ),
    "executors": ("Ijrochi", "Ижрочи", "Исполнитель", "Executor"),
    "lead": ("mas'ul", "масъул", "головное", "lead"),
    "date_unknown": ("sana nomaʼlum", "сана номаълум", "дата неизвестна", "date unknown"),
    "anonymous": (
        "Anonim (ism koʻrsatilmagan)",
        "Аноним (исм кўрсатилмаган)",
        "Анонимное (имя не указано)",
        "Anonymous (no name given)",
    ),
    "withheld": (
        "Murojaatchining iltimosiga koʻra shaxsi oshkor etilmaydi (9-band)",
        "Мурожаатчининг илтимосига кўра шахси ошкор этилмайди (9-банд)",
        "Личность заявителя не раскрывается по его просьбе (п. 9)",
        "Identity withheld at the applicant's request (§9)",
    ),
    "confidential": (
        "maxfiy, 9-band",
        "махфий, 9-банд",
        "конфиденциально, п. 9",
        "confidential, §9",
    ),
    "yes": ("ha", "ҳа", "да", "yes"),
    "no_": ("yoʻq", "йўқ", "нет", "no"),
    "consideration": (
        "Murojaatni koʻrib chiqish holati",
        "Мурожаатни кўриб чиқиш ҳолати",
        "Ход рассмотрения обращения",
        "Status of consideration of the appeal",
    ),
    "dir_date": (
        "Yoʻnaltirilgan sana",
        "Йўналтирилган сана",
        "Дата направления",
        "Date of direction",
    ),
    "dir_where": (
        "Qayerga yoʻnaltirilgan",
        "Қаерга йўналтирилган",
        "Куда направлено",
        "Where is it directed",
    ),
    "dir_accepted": ("Qabul qilingan", "Қабул қилинган", "Принято", "Accepted"),
    "dir_current": ("Amaldagi", "Амалдаги", "Действующее", "Current"),
    "chg_what": ("Muddat", "Муддат", "Срок", "The deadline has been"),
    "chg_from": ("Avval", "Аввал", "С", "From"),
    "chg_to": ("Yangi", "Янги", "На", "To"),
    "chg_by": ("Kim (imzo)", "Ким (имзо)", "Кем (подпись)", "By (signature)"),
    "chg_on": ("Sana", "Сана", "Дата", "On"),
    "chg_reason": ("Sabab", "Сабаб", "Причина", "Reason"),
    "extend": ("uzaytirildi", "узайтирилди", "продлён", "extended"),
    "shorten": ("qisqartirildi", "қисқартирилди", "сокращён", "shortened"),
    "response_letter": (
        "Javob xatining raqami va sanasi",
        "Жавоб хатининг рақами ва санаси",
        "Номер и дата ответного письма",
        "Number and date of the response letter",
    ),
    "not_sent": ("yuborilmagan", "юборилмаган", "не отправлено", "not sent"),
    "of": ("sana", "сана", "от", "of"),
    "response_received": (
        "Javob xati kelib tushgan sana",
        "Жавоб хати келиб тушган сана",
        "Дата поступления ответного письма",
        "Date of receipt of the response letter",
    ),
    "outcome": (
        "Koʻrib chiqish natijalari",
        "Кўриб чиқиш натижалари",
        "Результаты рассмотрения",
        "Summary of the review results",
    ),
    "disposal": (
        "Koʻrib chiqishning boshqa yakuni",
        "Кўриб чиқишнинг бошқа якуни",
        "Иное завершение рассмотрения",
        "Other way out of consideration",
    ),
    "removed_by": (
        "Nazoratdan kim yechgan",
        "Назоратдан ким ечган",
        "Снято с контроля (кем)",
        "Removed from control (by whom)",
    ),
    "removed_on": (
        "Nazoratdan yechilgan sana",
        "Назоратдан ечилган сана",
        "Дата снятия с контроля",
        "Removed from control (date)",
    ),
    "completed_on": (
        "Koʻrib chiqish yakunlangan sana",
        "Кўриб чиқиш якунланган сана",
        "Рассмотрение завершено",
        "Consideration completed",
    ),
    "violation_note": (
        "Muddat buzilganligi haqida belgi",
        "Муддат бузилганлиги ҳақида белги",
        "Отметка о нарушении срока",
        "Note on violation of the deadline",
    ),
    "sign_performer": (
        "Ijrochining imzosi",
        "Ижрочининг имзоси",
        "Подпись исполнителя",
        "Signature of the performer",
    ),
    "date": ("Sana", "Сана", "Дата", "Date"),
    "measures": ("Koʻrilgan choralar", "Кўрилган чоралар", "Принятые меры", "Measures taken"),
    "m_type": ("Turi", "Тури", "Вид", "Type"),
    "m_held": ("Oʻtkazilgan sana", "Ўтказилган сана", "Дата проведения", "Held on"),
    "m_party": ("Ishtirokchi", "Иштирокчи", "Участник", "Party"),
    "m_desc": ("Tavsif", "Тавсиф", "Описание", "Description"),
    "m_result": ("Natija", "Натижа", "Результат", "Result"),
    "m_result_on": ("Natija sanasi", "Натижа санаси", "Дата результата", "Result on"),
    "letters": ("Xatlar", "Хатлар", "Письма", "Letters"),
    "l_kind": ("Turi", "Тури", "Вид", "Kind"),
    "l_state": ("Holati", "Ҳолати", "Состояние", "State"),
    "l_number": ("Raqami", "Рақами", "Номер", "Number"),
    "l_sent": ("Yuborilgan sana", "Юборилган сана", "Дата отправки", "Sent on"),
    "l_signed": ("Imzolagan", "Имзолаган", "Подписал", "Signed by"),
    "l_addressee": ("Adresat", "Адресат", "Адресат", "Addressee"),
    "l_outcome": ("Natija", "Натижа", "Результат", "Outcome"),
    # The note on violation of a deadline, one sentence per violated stage.
    "v_head": (
        "{rule} muddati ({due}) buzilgan",
        "{rule} муддати ({due}) бузилган",
        "Нарушен срок «{rule}» ({due})",
        "The deadline {rule} of {due} was violated",
    ),
    "v_open": (
        "{today} holatiga {days} kun kechikmoqda, bajarilmagan",
        "{today} ҳолатига {days} кун кечикмоқда, бажарилмаган",
        "на {today} просрочка {days} дн., не исполнено",
        "as of {today} it is {days} day(s) overdue and not done",
    ),
    "v_cancelled": (
        "bosqich {ended} sanasida bekor qilinganda muddati oʻtgan edi",
        "босқич {ended} санасида бекор қилинганда муддати ўтган эди",
        "срок истёк до отмены этапа {ended}",
        "it had passed unmet when the stage was cancelled on {ended}",
    ),
    "v_ended": (
        "{days} kunga kechikdi: {ended} sanasida yakunlandi",
        "{days} кунга кечикди: {ended} санасида якунланди",
        "с опозданием на {days} дн.: завершено {ended}",
        "by {days} day(s): ended on {ended}",
    ),
}


def language(lang: str | None, accept_language: str | None) -> str:
    """`?lang=` wins, else the first language of `Accept-Language` we print, else uz (API.md)."""
    for candidate in [lang or "", *(accept_language or "").split(",")]:
        tag = candidate.split(";", 1)[0].strip().lower()
        if tag in _ALIASES:
            return _ALIASES[tag]
        if tag.split("-", 1)[0] in ("ru", "en"):
            return tag.split("-", 1)[0]
    return DEFAULT


class Words:
    """The card's words in one language."""

    def __init__(self, lang: str) -> None:
        self.lang = lang if lang in LANGUAGES else DEFAULT
        self._i = LANGUAGES.index(self.lang)

    def __getitem__(self, key: str) -> str:
        return L[key][self._i]

    def code(self, value: str) -> str:
        row = CODES.get(value)
        return row[self._i] if row else value.replace("_", " ")

    def format(self, key: str, **values: object) -> str:
        return self[key].format(**values)

    @staticmethod
    def day(value: date) -> str:
        """dd.mm.yyyy, as Uzbek and Russian office documents print dates."""
        return value.strftime("%d.%m.%Y")


def words(lang: str) -> Words:
    return Words(lang)
