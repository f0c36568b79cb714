"""The demo seeder reads like real appeals (issue 17): names agree in gender (R-1.2), a wage
text names a month that exists, a summary is in its text's language (R-1.4), consideration
ends on working days (R-3.1), and a year with appeals registered through the service is not
filled with demo appeals unless asked."""

from __future__ import annotations

import json
import random
import re
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import create_async_engine

from appeals_api.auth.roles import Role
from appeals_api.calendar.workdays import WorkCalendar
from appeals_api.stats import seed
from appeals_api.stats import seed_data as d
from appeals_api.stats.seed_lifecycle import Generator
from tests.helpers import appeal_body, auth

TODAY = date(2026, 3, 2)
CALENDAR = WorkCalendar()
COLUMN = {name: i for i, name in enumerate(seed.APPEAL_COLUMNS)}


def _rows(settings, n: int = 4000) -> list[tuple[Any, ...]]:
    rng = random.Random(17)
    gen = Generator(rng, CALENDAR, settings, units=["ECO", "HR", "SOC"], today=TODAY)
    first = date(2025, 1, 1)
    rows = []
    for seq in range(1, n + 1):
        day = first + timedelta(days=rng.randrange((TODAY - first).days + 1))
        moment = datetime.combine(day, time(10, 0), tzinfo=settings.tz)
        channel = rng.choice(list(d.CHANNELS))
        row, _ = gen.appeal(day.year, seq, moment, channel)
        rows.append(row)
    return rows


def _people(rows: list[tuple[Any, ...]]) -> list[dict[str, Any]]:
    applicants = [json.loads(r[COLUMN["applicants"]]) for r in rows]
    return [p for group in applicants for p in group if p.get("first_name")]


def test_R_1_2_seeded_names_agree_in_gender(settings):
    people = _people(_rows(settings))
    women = set(d.LATIN_FEMALE) | set(d.CYRILLIC_FEMALE)
    hers = {f for _, f in d.LATIN_LAST + d.CYRILLIC_LAST}
    his = {m for m, _ in d.LATIN_LAST + d.CYRILLIC_LAST}
    assert len(people) > 1000
    seen = {True: 0, False: 0}
    for p in people:
        woman = p["first_name"] in women
        seen[woman] += 1
        name = f"{p['last_name']} {p['first_name']} {p.get('patronymic', '')}"
        assert p["last_name"] in (hers if woman else his), name
        if "patronymic" in p:
            assert p["patronymic"].endswith(("vna", "вна") if woman else ("vich", "вич")), name
    assert min(seen.values()) > len(people) // 4  # both men and women


def test_R_1_4_seeded_texts_name_real_months_and_summaries_are_in_the_texts_language(settings):
    rows = _rows(settings)
    by_language = {lang: {s for _, s in texts} for lang, texts in d.TEXTS.items()}
    wages = 0
    for r in rows:
        text, summary, language = r[COLUMN["text"]], r[COLUMN["summary"]], r[COLUMN["language"]]
        assert not re.search(r"\d+-(oy|ой|й|ay)\b|month \d+", text), text
        if summary is not None:
            assert summary in by_language[language], (language, text, summary)
        months = d.MONTHS[language]
        if any(m in text for m in months) and re.search(r"haq|ҳақ|плат|wages", text):
            wages += 1
    assert wages > 100
    # A Russian text is never summarised in English (the cut that was seen).
    assert not any(
        r[COLUMN["language"]] == "ru" and r[COLUMN["summary"]] in by_language["en"] for r in rows
    )


def test_R_3_1_seeded_consideration_ends_on_working_days(settings):
    rows = _rows(settings)
    completed = [r[COLUMN["completed_on"]] for r in rows if r[COLUMN["completed_on"]]]
    assert len(completed) > 1000
    off = [day for day in completed if not CALENDAR.is_working_day(day)]
    assert off == [], off[:10]
    removed = [r[COLUMN["control_removed_at"]] for r in rows if r[COLUMN["control_removed_at"]]]
    assert all(CALENDAR.is_working_day(at.astimezone(settings.tz).date()) for at in removed)


async def test_seed_refuses_a_year_with_appeals_registered_through_the_service(
    settings, client, keys
):
    r = await client.post("/api/v1/appeals", json=appeal_body(), headers=auth(keys[Role.REGISTRAR]))
    assert r.status_code == 201, r.text
    year = int(r.json()["year"])
    engine = create_async_engine(settings.async_database_url)
    try:
        with pytest.raises(ValueError, match=rf"registered through the service \({year}: 1\)"):
            await seed.seed(engine, settings, count=20, years=(year, year), seed=1, today=TODAY)
        other = await seed.seed(
            engine, settings, count=20, years=(year - 1, year - 1), seed=1, today=TODAY
        )
        assert other.per_year == {year - 1: 20}
        anyway = await seed.seed(
            engine, settings, count=5, years=(year, year), seed=1, today=TODAY,
            into_real_years=True,
        )  # fmt: skip
        assert anyway.per_year == {year: 5}
    finally:
        await engine.dispose()
