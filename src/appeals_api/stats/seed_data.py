"""What generated appeals are made of: plausible names, places, texts and proportions.

Weights are rough shares of a year's appeals at a large industrial company; they are for
development and benchmarks, not statistics of the real company.
"""

from __future__ import annotations

# Units created when the database has none (code, name).
DEFAULT_UNITS = (
    ("ECO", "Ecology and environmental protection department"),
    ("HR", "Human resources department"),
    ("SOC", "Social development department"),
    ("LEGAL", "Legal department"),
    ("SAFETY", "Industrial safety department"),
    ("HOUSING", "Housing and communal services department"),
    ("ACC", "Accounting and wages department"),
    ("MINE", "Kalmakyr mine administration"),
    ("PLANT", "Copper concentrating plant"),
    ("MED", "Medical and sanitary unit"),
)

KINDS = {"application": 55, "complaint": 35, "proposal": 10}
# channel: (weight, forms with their weights)
CHANNELS: dict[str, tuple[int, dict[str, int]]] = {
    "website": (24, {"electronic": 1}),
    "helpline": (15, {"oral": 1}),
    "post": (9, {"written": 1}),
    "email": (7, {"electronic": 1}),
    "personal_reception": (12, {"oral": 6, "written": 4}),
    "mass_reception": (3, {"oral": 1}),
    "presidential_virtual_reception": (16, {"electronic": 1}),
    "government_portal": (9, {"electronic": 1}),
    "mass_media": (1, {"written": 1}),
    "other": (4, {"written": 3, "oral": 1}),
}
HIGHER_BODIES = {
    "presidential_virtual_reception": "Presidential Virtual Reception",
    "government_portal": "Single portal of interactive state services",
}
LANGUAGES = {"uz": 46, "ru": 34, "uz-Cyrl": 12, "kaa": 5, "en": 3}

# How consideration ended (or will end), in shares of all appeals.
WAYS = {
    "reviewed": 800,
    "forwarded": 60,
    "left_without_consideration": 40,
    "returned": 15,
    "withdrawn": 20,
    "terminated": 20,
    "duplicate": 25,
}
OUTCOMES = {"satisfied": 30, "partially_satisfied": 12, "explained": 40, "rejected": 18}
TERMINATION_GROUNDS = (
    "withdrawal",
    "cannot_summon",
    "failed_to_appear",
    "death_without_succession",
)
FORWARD_BODIES = (
    "Almalyk city khokimiyat",
    "Tashkent regional department of ecology",
    "Almalyk city department of internal affairs",
    "Tashkent regional labour inspectorate",
    "Almalyk city court",
)

# Names agree in gender: a man is Nazarov Farhod Rustamovich, a woman Nazarova Dilnoza
# Rustamovna. Surnames are given as (his, hers); patronymics as (son's, daughter's).
LATIN_LAST = tuple(
    (m, m + "a")
    for m in (
        "Karimov", "Rahimov", "Tursunov", "Yusupov", "Abdullayev", "Ismoilov", "Nazarov",
        "Qodirov", "Saidov", "Ergashev", "Xolmatov", "Mirzayev", "Sobirov", "Aliyev", "Umarov",
    )
)  # fmt: skip
LATIN_MALE = ("Aziz", "Dilshod", "Sherzod", "Jasur", "Bobur", "Otabek", "Rustam", "Farhod")
LATIN_FEMALE = ("Nodira", "Gulnora", "Dilnoza", "Malika", "Zarina", "Shahnoza", "Madina")
LATIN_PATRONYMIC = tuple(
    (father + "ovich", father + "ovna")
    for father in ("Bahodir", "Anvar", "Rustam", "Ilhom", "Baxtiyor", "Olim", "Sharip", "Qahramon")
)
CYRILLIC_LAST = (
    ("Каримов", "Каримова"), ("Рахимов", "Рахимова"), ("Турсунов", "Турсунова"),
    ("Юсупов", "Юсупова"), ("Абдуллаев", "Абдуллаева"), ("Исмаилов", "Исмаилова"),
    ("Назаров", "Назарова"), ("Иванов", "Иванова"), ("Петров", "Петрова"), ("Ким", "Ким"),
    ("Саидов", "Саидова"), ("Эргашев", "Эргашева"),
)  # fmt: skip
CYRILLIC_MALE = ("Азиз", "Дильшод", "Шерзод", "Сергей", "Бобур", "Рустам", "Фарход")
CYRILLIC_FEMALE = ("Ольга", "Наталья", "Нодира", "Малика", "Елена", "Дилноза")
CYRILLIC_PATRONYMIC = (
    ("Бахадирович", "Бахадировна"), ("Анварович", "Анваровна"), ("Сергеевич", "Сергеевна"),
    ("Николаевич", "Николаевна"), ("Рустамович", "Рустамовна"), ("Ильхомович", "Ильхомовна"),
)  # fmt: skip
STREETS = (
    "Amir Temur", "Navoi", "Mustaqillik", "Bobur", "Ulugbek", "Istiqlol", "Metallurglar",
    "Kimyogarlar", "Yoshlik", "Olmazor",
)  # fmt: skip
PLACES = ("Almalyk", "Almalyk", "Almalyk", "Angren", "Ohangaron", "Tashkent", "Chirchiq")
LEGAL_ENTITIES = (
    "Olmaliq Savdo LLC", "Metall Servis LLC", "Ohangaron Qurilish JSC", "Yashil Vodiy farm",
    "Almalyk mahalla citizens' assembly", "Chirchiq Transport LLC", "Nur Baraka private school",
)  # fmt: skip
REPRESENTATIVES = ("Attorney A. Saidov", "Advocate N. Petrova", "Lawyer D. Ergashev")

# Month names for the texts about wages ("for March", never "for the 39th month").
MONTHS: dict[str, tuple[str, ...]] = {
    "uz": ("yanvar", "fevral", "mart", "aprel", "may", "iyun", "iyul", "avgust", "sentyabr",
           "oktyabr", "noyabr", "dekabr"),
    "uz-Cyrl": ("январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август",
                "сентябрь", "октябрь", "ноябрь", "декабрь"),
    "ru": ("январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август", "сентябрь",
           "октябрь", "ноябрь", "декабрь"),
    "kaa": ("yanvar", "fevral", "mart", "aprel", "may", "iyun", "iyul", "avgust", "sentyabr",
            "oktyabr", "noyabr", "dekabr"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"),
}  # fmt: skip
# Each text with its brief summary, in the text's own language. `{n}` is a count of
# days or a house number, `{month}` a month's name.
TEXTS: dict[str, tuple[tuple[str, str], ...]] = {
    "uz": (
        ("Ko'chamizga chiqindi omboridan chang kelmoqda, iltimos chora ko'ring.",
         "Chiqindi omboridan chang"),
        ("Ish haqimni qayta hisoblab berishingizni so'rayman, {month} oyi uchun kam to'langan.",
         "Ish haqini qayta hisoblash"),
        ("Uyimizda issiq suv {n} kundan beri yo'q, ta'mirlashni so'raymiz.",
         "Uyda issiq suv yo'q"),
        ("Farzandimni kombinat oromgohiga yo'llanma bilan ta'minlashingizni so'rayman.",
         "Bolaga oromgoh yo'llanmasi"),
        ("Korxonaga ishga qabul qilish bo'yicha ma'lumot berishingizni so'rayman.",
         "Korxonaga ishga qabul qilish"),
    ),
    "uz-Cyrl": (
        ("Кўчамизга чиқинди омборидан чанг келмоқда, илтимос чора кўринг.",
         "Чиқинди омборидан чанг"),
        ("Иш ҳақимни қайта ҳисоблаб беришингизни сўрайман, {month} ойи учун кам тўланган.",
         "Иш ҳақини қайта ҳисоблаш"),
        ("Уйимизда иссиқ сув {n} кундан бери йўқ, таъмирлашни сўраймиз.",
         "Уйда иссиқ сув йўқ"),
    ),
    "ru": (
        ("Прошу принять меры: пыль с хвостохранилища доходит до нашей улицы.",
         "Пыль с хвостохранилища"),
        ("Прошу пересчитать заработную плату за {month}, начислено меньше положенного.",
         "Перерасчёт заработной платы"),
        ("В доме {n} дней нет горячей воды, просим провести ремонт теплотрассы.",
         "Нет горячей воды в доме"),
        ("Предлагаю установить остановку служебного автобуса у дома {n}.",
         "Остановка служебного автобуса"),
        ("Прошу выдать справку о стаже работы на комбинате.",
         "Справка о стаже работы"),
    ),
    "kaa": (
        ("Kóshemizge shań kelip atır, ilajı bolsa shara kóriwińizdi soraymız.",
         "Kóshege shań keliwi"),
        ("Jumıs haqımdı {month} ayı ushın qayta esaplap beriwińizdi sorayman.",
         "Jumıs haqın qayta esaplaw"),
    ),
    "en": (
        ("Dust from the tailings reaches our street; please take measures.",
         "Dust from the tailings dam"),
        ("Please recalculate my wages for {month}: less was paid than is due.",
         "Recalculation of wages"),
        ("I propose a shuttle bus stop near building {n} for the night shift.",
         "Shuttle bus stop"),
    ),
}  # fmt: skip
# the topic a text is about, by a word of it (codes of the starting classifier,
# migration 0018), first match wins; derived from the text, so the random stream is untouched.
TOPIC_WORDS: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (("chang", "чанг", "пыль", "dust", "shań"), ("03.01",)),
    (("ish haq", "иш ҳақ", "заработн", "wages", "jumıs haq"), ("01",)),
    (("issiq suv", "иссиқ сув", "горячей воды"), ("02.02",)),
    (("oromgoh",), ("07.02",)),
    (("ishga qabul", "стаже"), ("06",)),
)
OTHER_TOPIC = ("99",)


def topics_for(text: str) -> list[str]:
    """The topics a generated text is about; "other" when no word says."""
    lowered = text.lower()
    for words, codes in TOPIC_WORDS:
        if any(w in lowered for w in words):
            return list(codes)
    return list(OTHER_TOPIC)
