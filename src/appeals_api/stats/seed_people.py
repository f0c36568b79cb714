"""Generated applicants (R-1.2, R-1.3) and appeal texts (R-1.4) for `appeals-api seed`."""

from __future__ import annotations

import random
from typing import Any

from appeals_api.stats import seed_data as d

_CYRILLIC = ("ru", "uz-Cyrl")


def _address(rng: random.Random) -> str:
    return f"{rng.choice(d.PLACES)}, {rng.choice(d.STREETS)} street {rng.randint(1, 120)}"


def _phone(rng: random.Random) -> str:
    return f"+998 9{rng.randint(0, 9)} {rng.randint(100, 999)} {rng.randint(10, 99)} 00"


def full_name(rng: random.Random, language: str) -> tuple[str, str, str]:
    """Surname, given name and patronymic of one person, all his or all hers (R-1.2), in the
    script of `language`."""
    cyrillic = language in _CYRILLIC
    last = rng.choice(d.CYRILLIC_LAST if cyrillic else d.LATIN_LAST)
    patronymic = rng.choice(d.CYRILLIC_PATRONYMIC if cyrillic else d.LATIN_PATRONYMIC)
    woman = rng.random() < 0.5
    if cyrillic:
        first = rng.choice(d.CYRILLIC_FEMALE if woman else d.CYRILLIC_MALE)
    else:
        first = rng.choice(d.LATIN_FEMALE if woman else d.LATIN_MALE)
    return last[woman], first, patronymic[woman]


def template_text(language: str, template: int, n: int) -> str:
    """Text template `template` of `language` with the number `n` (and a month from it)."""
    months = d.MONTHS[language]
    return d.TEXTS[language][template][0].format(n=n, month=months[n % len(months)])


def _person(rng: random.Random, language: str, *, anonymous: bool) -> dict[str, Any]:
    if anonymous:  # registered all the same, then the anonymity check
        return {"type": "individual", "phone": _phone(rng)}
    last, first, patronymic = full_name(rng, language)
    person: dict[str, Any] = {
        "type": "individual",
        "last_name": last,
        "first_name": first,
        "address": _address(rng),
    }
    if rng.random() < 0.8:
        person["patronymic"] = patronymic
    if rng.random() < 0.5:
        person["phone"] = _phone(rng)
    return person


def applicants_for(
    rng: random.Random, language: str, ground: str | None
) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """The applicants and the representative, consistent with a ground to leave the appeal
    without consideration (anonymous; representative without authority documents)."""
    if ground == "anonymous":
        return [_person(rng, language, anonymous=True)], None
    roll = rng.random()
    if roll < 0.09:
        applicants = [
            {"type": "legal_entity", "name": rng.choice(d.LEGAL_ENTITIES), "address": _address(rng)}
        ]
    elif roll < 0.12:  # a collective appeal
        applicants = [_person(rng, language, anonymous=False) for _ in range(rng.randint(2, 6))]
    else:
        applicants = [_person(rng, language, anonymous=rng.random() < 0.01)]
    representative = None
    if ground == "no_authority_documents" or rng.random() < 0.03:
        representative = {
            "name": rng.choice(d.REPRESENTATIVES),
            "legal_representative": False,
            "authority_documents": ground != "no_authority_documents" and rng.random() < 0.9,
        }
    return applicants, representative


def text_for(rng: random.Random, language: str) -> tuple[str, str]:
    """A text in `language` and its summary in the same language (R-1.4)."""
    template = rng.randrange(len(d.TEXTS[language]))
    return template_text(language, template, rng.randint(2, 40)), d.TEXTS[language][template][1]
