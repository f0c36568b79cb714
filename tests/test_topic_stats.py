"""Statistics by topic (R-13.2) and the quarterly analysis by question (R-10.3): the counts of
GET /stats and of the quarterly report's `by_topic` equal counts done here over the appeals.

Appeals generated for 2025 (the seeder derives their topics from their texts), and appeals
registered over HTTP in November 2025 with two topics each.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date
from typing import Any

import asyncpg
import pytest
import pytest_asyncio

from appeals_api.auth.roles import Role
from appeals_api.db import make_engine
from appeals_api.stats import seed
from tests.helpers import appeal_body, at_tashkent, auth, sheets

AS_OF = date(2025, 11, 30)
TWO_TOPICS = ["08", "02.01"]


@pytest_asyncio.fixture(scope="module")
async def generated(settings) -> None:
    engine = make_engine(settings)
    try:
        await seed.seed(engine, settings, count=1200, years=(2025, 2025), seed=77, today=AS_OF)
    finally:
        await engine.dispose()


@pytest.fixture
def as_of(clock):
    clock.set(at_tashkent(AS_OF.year, AS_OF.month, AS_OF.day, 12))


@pytest_asyncio.fixture
async def registered(client, keys, settings, generated, as_of) -> int:
    """Three appeals with two topics each, registered once for the module (in November)."""
    conn = await asyncpg.connect(settings.database_url)
    try:
        have = await conn.fetchval("SELECT count(*) FROM appeals WHERE topics = $1", TWO_TOPICS)
    finally:
        await conn.close()
    for _ in range(3 - have):
        body = appeal_body(topics=TWO_TOPICS)
        r = await client.post("/api/v1/appeals", json=body, headers=auth(keys[Role.REGISTRAR]))
        assert r.status_code == 201, r.text
    return 3


async def _appeals(settings) -> list[Any]:
    conn = await asyncpg.connect(settings.database_url)
    try:
        return await conn.fetch("SELECT received_at, topics, units FROM appeals")
    finally:
        await conn.close()


def _quarter(a: Any, tz: Any) -> str:
    local = a["received_at"].astimezone(tz)
    return f"{local.year}-Q{(local.month - 1) // 3 + 1}"


async def test_R_13_2_stats_group_by_topic_counts_an_appeal_under_each_of_its_topics(
    client, keys, settings, registered
):
    r = await client.get(
        "/api/v1/stats",
        params={"from": "2025-01-01", "to": "2025-12-31", "group_by": "quarter,topic"},
        headers=auth(keys[Role.ANALYST]),
    )
    assert r.status_code == 200, r.text
    got = {(row["quarter"], row["topic"]): row["received"] for row in r.json()["rows"]}
    expected: Counter[tuple[str, str | None]] = Counter()
    appeals = [a for a in await _appeals(settings) if a["received_at"].year == 2025]
    for a in appeals:
        for topic in a["topics"] or [None]:
            expected[(_quarter(a, settings.tz), topic)] += 1
    assert got == dict(expected)
    assert sum(got.values()) == len(appeals) + registered * (len(TWO_TOPICS) - 1)
    assert {t for _, t in got} >= {"03.01", "01", "02.02", "99", *TWO_TOPICS}


def _trends(appeals: list[Any], tz: Any, current: str, previous: str) -> dict[Any, Any]:
    """R-10.3 written out again: per topic, the counts of two quarters and the lead units."""
    counts: dict[Any, Counter[str]] = defaultdict(Counter)
    units: dict[Any, set[str]] = defaultdict(set)
    for a in appeals:
        q = _quarter(a, tz)
        for topic in a["topics"] or [None]:
            counts[topic][q] += 1
            if q == current and a["units"]:
                units[topic].add(a["units"][0])
    return {
        t: (c[current], c[previous], c[current] - c[previous], sorted(units[t]))
        for t, c in counts.items()
        if c[current] or c[previous]
    }


async def test_R_10_3_the_quarterly_report_by_topic_against_the_previous_quarter(
    client, keys, settings, registered
):
    appeals = await _appeals(settings)
    for year, quarter, previous in ((2025, 4, "2025-Q3"), (2025, 1, "2024-Q4")):
        r = await client.get(
            "/api/v1/reports/quarterly",
            params={"year": year, "quarter": quarter},
            headers=auth(keys[Role.ANALYST]),
        )
        assert r.status_code == 200, r.text
        by_topic = r.json()["by_topic"]
        got = {t["topic"]: (t["count"], t["previous"], t["change"], t["units"]) for t in by_topic}
        assert got == _trends(appeals, settings.tz, f"{year}-Q{quarter}", previous)
        assert [t["topic"] for t in by_topic] == sorted(got, key=lambda t: (t is None, t or ""))
        for t in by_topic:
            assert t["recurring"] == (t["count"] > 0 and t["previous"] > 0)
    q4 = (await client.get("/api/v1/reports/quarterly", params={"year": 2025, "quarter": 4},
                           headers=auth(keys[Role.ANALYST]))).json()  # fmt: skip
    corruption = next(t for t in q4["by_topic"] if t["topic"] == "08")
    assert corruption["count"] == registered and corruption["previous"] == 0
    assert corruption["names"]["ru"] == "Коррупция и конфликт интересов"


async def test_R_10_3_by_topic_in_csv_and_xlsx(client, keys, registered):
    params = {"year": 2025, "quarter": 4}
    headers = auth(keys[Role.ANALYST])
    report = (await client.get("/api/v1/reports/quarterly", params=params, headers=headers)).json()
    text = (await client.get("/api/v1/reports/quarterly",
                             params={**params, "format": "csv", "lang": "en"},
                             headers=headers)).text  # fmt: skip
    header, rows = sheets.csv_table(text)
    assert header[-3:] == ["Previous quarter", "Change", "Units"]
    topic_rows = [r for r in rows if r[0] == "Topic"]
    received = header.index("Received")
    assert [(r[1], int(r[received]), int(r[-3]), int(r[-2])) for r in topic_rows] == [
        (t["topic"] or "", t["count"], t["previous"], t["change"]) for t in report["by_topic"]
    ]
    x = await client.get(
        "/api/v1/reports/quarterly",
        params={**params, "format": "xlsx", "lang": "en"},
        headers=headers,
    )
    sheet = sheets.workbook(x.content)["By topic"]
    assert sheet.header[:6] == [
        "Topic code", "Uzbek (Latin)", "Uzbek (Cyrillic)", "Russian", "English", "This quarter"
    ]  # fmt: skip
    assert [(r[0], r[5], r[6], r[7]) for r in sheet.rows] == [
        (t["topic"] or "no topic", t["count"], t["previous"], t["change"])
        for t in report["by_topic"]
    ]


async def test_R_13_1_the_seeder_gives_appeals_topics_their_texts_are_about(settings, generated):
    conn = await asyncpg.connect(settings.database_url)
    try:
        rows = await conn.fetch("SELECT text, topics FROM appeals WHERE created_by IS NULL")
    finally:
        await conn.close()
    assert rows and all(r["topics"] for r in rows)
    dust = [r for r in rows if "chang " in r["text"] or "пыль" in r["text"]]
    assert dust and all(r["topics"] == ["03.01"] for r in dust)
    wages = [r for r in rows if "заработную плату" in r["text"]]
    assert wages and all(r["topics"] == ["01"] for r in wages)
