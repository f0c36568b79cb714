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

LATIN_LAST = (
    "Karimov", "Rahimov", "Tursunov", "Yusupov", "Abdullayev", "Ismoilov", "Nazarov",
    "Qodirov", "Saidov", "Ergashev", "Xolmatov", "Mirzayev", "Sobirov", "Aliyev", "Umarov",
)  # fmt: skip
LATIN_FIRST = (
    "Aziz", "Dilshod", "Sherzod", "Jasur", "Bobur", "Otabek", "Nodira", "Gulnora", "Dilnoza",
    "Malika", "Zarina", "Shahnoza", "Rustam", "Farhod", "Madina",
)  # fmt: skip
LATIN_PATRONYMIC = (
    "Bahodirovich", "Anvarovich", "Rustamovich", "Ilhomovich", "Baxtiyorovna", "Olimovna",
    "Sharipovna", "Qahramonovich",
)  # fmt: skip
CYRILLIC_LAST = (
    "Каримов", "Рахимов", "Турсунов", "Юсупов", "Абдуллаев", "Исмаилов", "Назаров", "Иванов",
    "Петрова", "Ким", "Саидова", "Эргашев",
)  # fmt: skip
CYRILLIC_FIRST = (
    "Азиз", "Дильшод", "Шерзод", "Ольга", "Сергей", "Наталья", "Бобур", "Нодира", "Малика",
    "Рустам", "Елена", "Фарход",
)  # fmt: skip
CYRILLIC_PATRONYMIC = (
    "Бахадирович", "Анварович", "Сергеевич", "Николаевна", "Рустамовна", "Ильхомович",
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

TEXTS: dict[str, tuple[str, ...]] = {
    "uz": (
        "Ko'chamizga chiqindi omboridan chang kelmoqda, iltimos chora ko'ring.",
        "Ish haqimni qayta hisoblab berishingizni so'rayman, {n}-oy uchun kam to'langan.",
        "Uyimizda issiq suv {n} kundan beri yo'q, ta'mirlashni so'raymiz.",
        "Farzandimni kombinat oromgohiga yo'llanma bilan ta'minlashingizni so'rayman.",
        "Korxonaga ishga qabul qilish bo'yicha ma'lumot berishingizni so'rayman.",
    ),
    "uz-Cyrl": (
        "Кўчамизга чиқинди омборидан чанг келмоқда, илтимос чора кўринг.",
        "Иш ҳақимни қайта ҳисоблаб беришингизни сўрайман, {n}-ой учун кам тўланган.",
        "Уйимизда иссиқ сув {n} кундан бери йўқ, таъмирлашни сўраймиз.",
    ),
    "ru": (
        "Прошу принять меры: пыль с хвостохранилища доходит до нашей улицы.",
        "Прошу пересчитать заработную плату за {n}-й месяц, начислено меньше положенного.",
        "В доме {n} дней нет горячей воды, просим провести ремонт теплотрассы.",
        "Предлагаю установить остановку служебного автобуса у дома {n}.",
        "Прошу выдать справку о стаже работы на комбинате.",
    ),
    "kaa": (
        "Kóshemizge shań kelip atır, ilajı bolsa shara kóriwińizdi soraymız.",
        "Jumıs haqımdı {n}-ay ushın qayta esaplap beriwińizdi sorayman.",
    ),
    "en": (
        "Dust from the tailings reaches our street; please take measures.",
        "Please recalculate my wages for month {n}: less was paid than is due.",
        "I propose a shuttle bus stop near building {n} for the night shift.",
    ),
}
SUMMARIES = (
    "Dust from the tailings dam",
    "Recalculation of wages",
    "No hot water in the building",
    "Holiday camp voucher for a child",
    "Employment at the company",
    "Certificate of length of service",
    "Shuttle bus stop",
)
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
