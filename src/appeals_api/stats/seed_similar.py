"""`appeals-api seed --plant K`: known duplicates and repeats among the generated appeals, and
how well the suggestions (`appeals.similar`, R-2.3) find them.

While the year's appeals are generated in order of receipt, the planter turns some of them into
the first appeal of a group (a new applicant and a text) and, days or months later, another one
into the group's second:
- `duplicate`: the same applicant written differently (the other script, a misspelt vowel, the
  phone in another format or left out) sends the same text again, in either script of Uzbek or
  with a line added;
- `repeat`: the same applicant writes on the same matter again, the earlier text with a
  complaint that it was not resolved;
- `other_matter` (a decoy): the same applicant on another matter;
- `namesake` (a decoy): another person of the same name, elsewhere, with another phone, on the
  same matter.
The first two must be suggested, the decoys must not. Which of `duplicate` or `repeat` the
pair is follows the facts of the first appeal when the second came (R-2.3, §29, §50).
"""

from __future__ import annotations

import heapq
import json
import random
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import asyncpg

from appeals_api.appeals.similar import service as similar
from appeals_api.config import Settings
from appeals_api.stats import seed_data as d
from appeals_api.stats.seed_people import full_name, template_text

KINDS = {"duplicate": 35, "repeat": 35, "other_matter": 15, "namesake": 15}
_DAYS = {"duplicate": (0.2, 10), "repeat": (25, 120), "other_matter": (3, 90), "namesake": (3, 90)}
LANGUAGES = {"uz": 5, "ru": 3, "uz-Cyrl": 2}
# Templates said in both scripts of Uzbek: d.TEXTS["uz"][i] and d.TEXTS["uz-Cyrl"][i].
_BOTH_SCRIPTS = 3
AGAIN = {
    "uz": "Avval ham murojaat qilgan edim, lekin muammo hal bo'lmadi. ",
    "uz-Cyrl": "Аввал ҳам мурожаат қилган эдим, лекин муаммо ҳал бўлмади. ",
    "ru": "Обращаюсь повторно: проблема так и не решена. ",
}
ADDED = {"uz": " Javobingizni kutaman.", "uz-Cyrl": " Жавобингизни кутаман.", "ru": " Жду ответа."}
_TO_CYRILLIC = (
    ("sh", "ш"), ("ch", "ч"), ("o'", "ў"), ("g'", "ғ"), ("yo", "ё"), ("yu", "ю"), ("ya", "я"),
    *zip("abdefghijklmnopqrstuvxyz", "абдефгҳижклмнопқрстувхйз", strict=True),
)  # fmt: skip
_TO_LATIN = (
    ("ш", "sh"), ("щ", "sh"), ("ч", "ch"), ("ц", "ts"), ("ё", "yo"), ("ю", "yu"), ("я", "ya"),
    ("ж", "j"), ("ъ", ""), ("ь", ""), ("ы", "i"), ("э", "e"), ("ў", "o'"), ("ғ", "g'"),
    *zip("абвгдезийклмнопрстуфхқҳ", "abvgdeziyklmnoprstufxqh", strict=True),
)  # fmt: skip


def other_script(name: str) -> str:
    """A name as a clerk would type it in the other script (for the generator only)."""
    low = name.lower()
    table = _TO_LATIN if any("а" <= ch <= "я" or ch in "ёўғқҳ" for ch in low) else _TO_CYRILLIC
    for a, b in table:
        low = low.replace(a, b)
    return low[:1].upper() + low[1:]


@dataclass(frozen=True)
class Plant:
    """The second appeal of a group, and the first one it must (or must not) be found with."""

    kind: str
    later: uuid.UUID
    earlier: uuid.UUID
    applicants: list[dict[str, Any]]
    text: str
    received_at: datetime
    relation: str | None  # what the pair is, for `duplicate` and `repeat`; None for decoys


@dataclass
class _Group:
    kind: str
    earlier: dict[str, Any]
    person: dict[str, Any]
    language: str
    template: int
    n: int


@dataclass(frozen=True)
class Figures:
    groups: int
    pairs: int
    found: int
    suggested: int
    relations_right: int

    @property
    def precision(self) -> float:
        return self.found / self.suggested if self.suggested else 1.0

    @property
    def recall(self) -> float:
        return self.found / self.pairs if self.pairs else 1.0


@dataclass
class Planter:
    """Rewrites generated appeal rows (in order of receipt) into planted groups."""

    rng: random.Random
    share: float  # of the generated appeals that start a group
    columns: tuple[str, ...]
    tz: Any
    plants: list[Plant] = field(default_factory=list)
    _due: list[tuple[datetime, int, _Group]] = field(default_factory=list)

    def __call__(self, row: tuple[Any, ...]) -> tuple[Any, ...]:
        if not self.share:  # nothing planted: the generator's random stream is untouched
            return row
        r = dict(zip(self.columns, row, strict=True))
        if r["joined_to"] is not None or r["status"] == "left_without_consideration":
            return row
        if self._due and self._due[0][0] <= r["received_at"]:
            return self._row(r, self._later(r, heapq.heappop(self._due)[2]))
        if self.rng.random() < self.share:
            return self._row(r, self._earlier(r))
        return row

    def _row(self, r: dict[str, Any], values: dict[str, Any]) -> tuple[Any, ...]:
        r.update(values, summary=None, needs_anonymity_check=False, related=None)
        return tuple(r[c] for c in self.columns)

    def _earlier(self, r: dict[str, Any]) -> dict[str, Any]:
        rng = self.rng
        kind = rng.choices(list(KINDS), list(KINDS.values()))[0]
        language = rng.choices(list(LANGUAGES), list(LANGUAGES.values()))[0]
        template = rng.randrange(len(d.TEXTS[language]))
        group = _Group(kind, r, _person(rng, language), language, template, rng.randint(2, 40))
        low, high = _DAYS[kind]
        at = r["received_at"] + timedelta(days=rng.uniform(low, high))
        heapq.heappush(self._due, (at, len(self.plants) + len(self._due), group))
        return _values(group.person, language, _text(language, template, group.n))

    def _later(self, r: dict[str, Any], g: _Group) -> dict[str, Any]:
        rng, language, text = self.rng, g.language, _text(g.language, g.template, g.n)
        person = _variant(rng, g.person)
        if g.kind == "duplicate":
            if language in ("uz", "uz-Cyrl") and g.template < _BOTH_SCRIPTS and rng.random() < 0.5:
                language = "uz-Cyrl" if language == "uz" else "uz"
                text = _text(language, g.template, g.n)
            elif rng.random() < 0.5:
                text += ADDED[language]
        elif g.kind == "repeat":
            text = AGAIN[language] + text
        elif g.kind == "other_matter":
            others = [i for i in range(len(d.TEXTS[language])) if i != g.template]
            text = _text(language, rng.choice(others), g.n)
        else:  # a namesake: the same name, another person
            person = {**_person(rng, language), "last_name": person["last_name"]}
            person["first_name"] = g.person["first_name"]
        self.plants.append(
            Plant(
                kind=g.kind,
                later=r["id"],
                earlier=g.earlier["id"],
                applicants=[person],
                text=text,
                received_at=r["received_at"],
                relation=_relation(g, r["received_at"].astimezone(self.tz).date())
                if g.kind in ("duplicate", "repeat")
                else None,
            )
        )
        return _values(person, language, text)


def _values(person: dict[str, Any], language: str, text: str) -> dict[str, Any]:
    return {"applicants": json.dumps([person], ensure_ascii=False), "language": language,
            "text": text}  # fmt: skip


def _text(language: str, template: int, n: int) -> str:
    return template_text(language, template, n)


def _relation(g: _Group, later_on: date) -> str:
    """R-2.3 on the facts: a copy is a duplicate; otherwise a repeat once the first appeal was
    answered or its deadline had passed when the second came (§50), else a duplicate (§29)."""
    if g.kind == "duplicate":
        return "duplicate"
    completed, due = g.earlier["completed_on"], g.earlier["due_date"]
    answered = completed is not None and completed <= later_on
    late = due is not None and due < later_on and not answered
    return "repeat" if answered or late else "duplicate"


def _person(rng: random.Random, language: str) -> dict[str, Any]:
    latin = language == "uz"
    last, first, _ = full_name(rng, language)
    person: dict[str, Any] = {
        "type": "individual",
        "last_name": last,
        "first_name": first,
        "address": f"{rng.choice(d.PLACES)}, {rng.choice(d.STREETS)} street {rng.randint(1, 120)}",
        "phone": f"+998 9{rng.randint(0, 9)} {rng.randint(100, 999)} {rng.randint(10, 99)} "
        f"{rng.randint(10, 99)}",
    }
    if rng.random() < 0.4:
        person["email"] = (
            f"{(last if latin else other_script(last)).lower()}{rng.randint(1, 999)}@mail.uz"
        )
    return person


def _variant(rng: random.Random, person: dict[str, Any]) -> dict[str, Any]:
    """The same person as another clerk or another channel wrote them down."""
    out = dict(person)
    roll = rng.random()
    if roll < 0.35:
        out["last_name"], out["first_name"] = map(
            other_script, (out["last_name"], out["first_name"])
        )
    elif roll < 0.6:
        out["last_name"] = _misspelt(rng, out["last_name"])
    elif roll < 0.7:  # a consonant misheard on the phone: the name no longer meets
        out["last_name"] = out["last_name"][:-1] + ("f" if out["last_name"][-1] == "v" else "ф")
    if rng.random() < 0.3:  # the address as another clerk writes it
        place, rest = person["address"].split(", ", 1)
        out["address"] = f"{place} sh., {rest.replace(' street ', ' ko`chasi, ')}-uy"
    digits = "".join(ch for ch in person["phone"] if ch.isdigit())
    roll = rng.random()
    if roll < 0.25 and (out.get("email") or rng.random() < 0.6):
        del out["phone"]  # an e-mail or the address still says who it is
    elif roll < 0.8:
        out["phone"] = rng.choice(
            (f"{digits[3:5]} {digits[5:8]}-{digits[8:10]}-{digits[10:]}", digits,
             f"({digits[3:5]}) {digits[5:]}")
        )  # fmt: skip
    if out.get("email") and rng.random() < 0.3:
        out["email"] = out["email"].capitalize()
    return out


def _misspelt(rng: random.Random, name: str) -> str:
    swaps = {"o": "a", "a": "o", "i": "y", "u": "o", "о": "а", "а": "о", "и": "ы", "у": "о"}
    places = [i for i, ch in enumerate(name) if i and ch in swaps]
    if not places:
        return name
    i = rng.choice(places)
    return name[:i] + swaps[name[i]] + name[i + 1 :]


async def evaluate(pool: asyncpg.Pool, settings: Settings, plants: list[Plant]) -> Figures:
    """Ask for each group's second appeal's suggestions, as intake would, and count."""
    pairs = found = suggested = right = 0
    for p in plants:
        subject = similar.Subject(p.later, p.applicants, p.text, p.received_at)
        got = {
            s.id: s for s in await similar.suggestions(pool, settings, subject, earlier_only=True)
        }
        suggested += len(got)
        if p.relation is None:
            continue
        pairs += 1
        if p.earlier in got:
            found += 1
            right += got[p.earlier].relation == p.relation
    return Figures(len(plants), pairs, found, suggested, right)
