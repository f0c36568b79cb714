"""The intake bodies the benchmarks post."""

from __future__ import annotations

import json
import random

from appeals_api.stats import seed_data as d
from appeals_api.stats.seed_people import full_name, template_text

BODY = {
    "kind": "complaint",
    "form": "electronic",
    "channel": "website",
    "language": "uz",
    "text": "The dust from the tailings reaches our street; please take measures.",
    "applicants": [
        {
            "type": "individual",
            "last_name": "Karimov",
            "first_name": "Aziz",
            "address": "Almalyk, Navoi street 5",
            "phone": "+998 90 000 00 00",
        }
    ],
}
BODY_BYTES = json.dumps(BODY).encode()


def varied_bodies(n: int, rng: random.Random) -> list[bytes]:
    """`n` intake bodies of many applicants and texts; a tenth the same applicant again."""
    bodies: list[bytes] = []
    people: list[tuple[dict[str, str], str]] = []
    for _ in range(n):
        if people and rng.random() < 0.1:
            person, text = rng.choice(people)
        else:
            language = rng.choice(("uz", "ru"))
            last, first, _ = full_name(rng, "uz")  # Latin names, as the bench always had
            person = {
                "type": "individual",
                "last_name": last,
                "first_name": first,
                "address": f"{rng.choice(d.PLACES)}, {rng.choice(d.STREETS)} street "
                f"{rng.randint(1, 120)}",
                "phone": f"+998 9{rng.randint(0, 9)} {rng.randint(1_000_000, 9_999_999)}",
            }
            text = template_text(
                language, rng.randrange(len(d.TEXTS[language])), rng.randint(2, 40)
            )
            people.append((person, text))
        bodies.append(json.dumps({**BODY, "applicants": [person], "text": text}).encode())
    return bodies
