"""The quarterly report and its public summary (R-10.2), the registration log (R-2.2).

Appeals generated for 2025, and appeals registered over HTTP in February 2026.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

import asyncpg
import httpx
import pytest
import pytest_asyncio

from appeals_api.auth.roles import Role
from appeals_api.clock import FrozenClock
from appeals_api.db import make_engine
from appeals_api.main import create_app
from appeals_api.stats import disclosure, seed
from appeals_api.stats.schemas import COUNTERS, PUBLIC_COUNTERS
from tests.helpers import TEST_UNIT, appeal_body, at_tashkent, auth, sheets

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
AS_OF = date(2025, 11, 30)
QUARTER = {"year": 2025, "quarter": 2}


@pytest_asyncio.fixture(scope="module")
async def generated(settings) -> None:
    engine = make_engine(settings)
    try:
        await seed.seed(engine, settings, count=1500, years=(2025, 2025), seed=55, today=AS_OF)
    finally:
        await engine.dispose()


@pytest.fixture
def as_of(clock):
    clock.set(at_tashkent(AS_OF.year, AS_OF.month, AS_OF.day, 12))


async def _report(client, keys, **params: Any):
    return await client.get(
        "/api/v1/reports/quarterly",
        params={**QUARTER, **params},
        headers=auth(keys[Role.ANALYST]),
    )


TREND = ["previous_quarter", "change", "units"]  # R-10.3: the topic rows' own columns


def _flat(report: dict[str, Any]) -> list[list[Any]]:
    none = [None] * len(TREND)
    rows = [["total", None, None, *(report["totals"][c] for c in COUNTERS), *none]]
    for breakdown, items in report["breakdowns"].items():
        for i in items:
            rows.append([breakdown, i["key"], i["name"], *(i[c] for c in COUNTERS), *none])
    for t in report["by_topic"]:
        counts = [t["count"], *([None] * (len(COUNTERS) - 1))]
        units = "; ".join(t["units"])
        rows.append(["topic", t["topic"], t["names"]["uz"], *counts, t["previous"], t["change"],
                     units])  # fmt: skip
    return rows


async def test_R_10_2_quarterly_report_totals_and_breakdowns(client, keys, generated, as_of):
    r = await _report(client, keys)
    assert r.status_code == 200, r.text
    report = r.json()
    assert (report["from"], report["to"]) == ("2025-04-01", "2025-06-30")
    stats = await client.get(
        "/api/v1/stats?from=2025-04-01&to=2025-06-30", headers=auth(keys[Role.ANALYST])
    )
    (totals,) = stats.json()["rows"]
    assert report["totals"] == totals and totals["received"] > 300
    assert list(report["breakdowns"]) == ["kind", "channel", "unit", "outcome", "on_time"]
    for breakdown, items in report["breakdowns"].items():
        for c in COUNTERS:  # each breakdown adds up to the totals
            assert sum(i[c] for i in items) == totals[c], (breakdown, c)
        by = await client.get(
            f"/api/v1/stats?from=2025-04-01&to=2025-06-30&group_by={breakdown}",
            headers=auth(keys[Role.ANALYST]),
        )
        nonzero = [{k: v for k, v in i.items() if k != "name"} for i in items if i["received"]]
        assert nonzero == [
            {"key": row.pop(breakdown), **row}
            for row in sorted(
                by.json()["rows"],
                key=lambda row: [i["key"] for i in items].index(row[breakdown]),
            )
        ]
    # Every kind and channel is listed, zeros included; units carry their names.
    assert [i["key"] for i in report["breakdowns"]["kind"]] == [
        "application",
        "proposal",
        "complaint",
    ]
    assert len(report["breakdowns"]["channel"]) == 10
    assert [i["key"] for i in report["breakdowns"]["on_time"]] == ["on_time", "late", "open"]
    assert report["breakdowns"]["outcome"][-1]["key"] is None
    units = report["breakdowns"]["unit"]
    assert all(i["name"] for i in units if i["key"] is not None)


async def test_R_10_2_quarterly_report_as_csv_and_xlsx_holds_the_same_table(
    client, keys, generated, as_of
):
    """The files hold the JSON's table: each value's code in `key`, the same counters."""
    report = (await _report(client, keys)).json()
    expected = [[row[1], *row[3:]] for row in _flat(report)]

    by_param = await _report(client, keys, format="csv", lang="en")
    by_accept = await client.get(
        "/api/v1/reports/quarterly",
        params=QUARTER,
        headers={**auth(keys[Role.SUPERVISOR]), "Accept": "text/csv", "Accept-Language": "en"},
    )
    assert by_param.text == by_accept.text
    assert by_param.headers["content-type"] == "text/csv; charset=utf-8"
    assert 'filename="quarterly-report-2025-Q2.csv"' in by_param.headers["content-disposition"]
    header, rows = sheets.csv_table(by_param.text)
    assert header[:4] == ["Breakdown", "Code", "Name", "Received"] and len(header) == 19
    assert [[row[1], *row[3:]] for row in rows] == [
        [("" if v is None else str(v)) for v in row] for row in expected
    ]

    x = await _report(client, keys, format="xlsx", lang="en")
    assert x.status_code == 200 and x.headers["content-type"] == XLSX
    book = sheets.workbook(x.content)
    assert list(book) == ["Quarterly report", "By topic", "About"]
    table = book["Quarterly report"]
    assert table.header == header
    assert [[r[1], *r[3:]] for r in table.rows] == expected
    about = {r[0]: r[1] for r in book["About"].rows if r[0]}
    assert about["Year"] == 2025 and about["Quarter"] == 2
    assert about["From"] == datetime(2025, 4, 1)
    assert "satisfied in full or in part" in about["Satisfied"]


async def test_R_10_2_public_summary_withholds_small_counts(client, keys, generated, as_of):
    r = await client.get("/api/v1/public/summary", params=QUARTER)  # no key
    assert r.status_code == 200, r.text
    assert r.headers["cache-control"] == "public, max-age=300"
    public = r.json()
    assert public["min_cell"] == 3
    real = (await _report(client, keys)).json()
    real_rows = {"total": real["totals"]}
    rows = {"total": public["totals"]}
    for b in ("kind", "channel", "on_time"):
        real_rows |= {f"{b}:{i['key']}": i for i in real["breakdowns"][b]}
        rows |= {f"{b}:{i['key']}": i for i in public["breakdowns"][b]}
    assert list(public["breakdowns"]) == ["kind", "channel", "on_time"]
    assert set(rows) == set(real_rows)
    hidden = set()
    for name, row in rows.items():
        assert set(row) - {"key", "suppressed"} == set(PUBLIC_COUNTERS)
        for c in PUBLIC_COUNTERS:
            if row[c] is None:
                hidden.add((name, c))
                assert c in row["suppressed"]
            else:  # published: the true count, and never a small one
                assert row[c] == real_rows[name][c] >= 3
                assert c not in row["suppressed"]
            if real_rows[name][c] < 3:
                assert row[c] is None
    small = {(n, c) for n in rows for c in PUBLIC_COUNTERS if real_rows[n][c] < 3}
    assert small and hidden > small  # complements were withheld too
    # No published sum has exactly one unknown: none can be worked out by subtraction.
    for b in ("kind", "channel", "on_time"):
        names = [n for n in rows if n.startswith(b + ":")]
        for c in PUBLIC_COUNTERS:
            cells = [("total", c), *((n, c) for n in names)]
            assert sum(cell in hidden for cell in cells) != 1, (b, c)
    for name in rows:
        cells = [(name, c) for c in ("reviewed", "satisfied", "explained", "not_satisfied")]
        assert sum(cell in hidden for cell in cells) != 1, name


def test_R_10_2_complementary_suppression_on_a_small_table():
    values = {("total", "n"): 10, ("a", "n"): 8, ("b", "n"): 2, ("c", "n"): 0}
    identity = (("total", "n"), [("a", "n"), ("b", "n"), ("c", "n")])
    # b and c are small; a alone published would still leave b + c = 2 known, not b.
    assert disclosure.withheld(values, [identity], min_cell=3) == {("b", "n"), ("c", "n")}
    values[("c", "n")] = 5
    values[("a", "n")] = 3
    # b alone would be 10 - 3 - 5: the smallest other part (a) is withheld with it.
    assert disclosure.withheld(values, [identity], min_cell=3) == {("b", "n"), ("a", "n")}


async def test_R_10_2_public_summary_is_limited_per_address(settings, generated):
    strict = create_app(settings.model_copy(update={"public_summary_per_address_per_minute": 1}))
    async with strict.router.lifespan_context(strict):
        transport = httpx.ASGITransport(app=strict, client=("192.0.2.77", 5000))
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
            codes = [(await c.get("/api/v1/public/summary", params=QUARTER)).status_code]
            codes.append((await c.get("/api/v1/public/summary", params=QUARTER)).status_code)
    assert codes == [200, 429]


@pytest.mark.parametrize(
    "query", ["year=2025&quarter=5", "year=2025&quarter=0", "year=1800&quarter=1", "year=2025"]
)
async def test_R_10_2_bad_quarter_is_422(client, keys, query):
    r = await client.get(f"/api/v1/reports/quarterly?{query}", headers=auth(keys[Role.ANALYST]))
    assert r.status_code == 422
    assert (await client.get(f"/api/v1/public/summary?{query}")).status_code == 422


@pytest.mark.parametrize("role", [Role.EXECUTOR, Role.INTAKE, Role.DIRECTUM, Role.ADMIN])
async def test_R_10_2_report_roles(client, keys, role):
    r = await client.get("/api/v1/reports/quarterly?year=2025&quarter=1", headers=auth(keys[role]))
    assert r.status_code == 403


# --- the registration log (R-2.2) -------------------------------------------------------------

LOG_HEADER = ("Number", "Date of receipt", "Applicant", "Brief content", "Responsible unit")
LOG = "/api/v1/reports/registration-log"
LONG_TEXT = "Line one of a long letter.\n\n" + "The dust settles on the gardens. " * 20


async def _register(client, keys, clock, day: int, **overrides: Any) -> dict[str, Any]:
    clock.set(at_tashkent(2026, 2, day, 10))
    r = await client.post(
        "/api/v1/appeals", json=appeal_body(**overrides), headers=auth(keys[Role.REGISTRAR])
    )
    assert r.status_code == 201, r.text
    created: dict[str, Any] = r.json()
    return created


@pytest_asyncio.fixture(scope="module")
async def log_appeals(client_for_module) -> list[dict[str, Any]]:
    client, keys, clock = client_for_module
    person = {"type": "individual", "last_name": "Karimov", "first_name": "Aziz"}
    made = [
        await _register(client, keys, clock, 2, summary="Dust from the tailings dam"),
        await _register(
            client,
            keys,
            clock,
            2,
            applicants=[{"type": "legal_entity", "name": "=cmd|' /C calc'!A0"}],
            text='=HYPERLINK("http://evil")  asks for\tmoney',
        ),
        await _register(
            client, keys, clock, 3, applicants=[person, person, person], text=LONG_TEXT
        ),
        await _register(client, keys, clock, 3, applicants=[{"type": "individual"}]),
        await _register(client, keys, clock, 4, confidential=True),
        await _register(client, keys, clock, 6),  # outside the exported range
    ]
    r = await client.post(
        f"/api/v1/appeals/{made[0]['id']}/actions/resolve",
        json={"units": [TEST_UNIT], "instruction": "Inspect and answer."},
        headers=auth(keys[Role.MANAGER]),
    )
    assert r.status_code == 200, r.text
    return made


@pytest_asyncio.fixture(scope="module")
async def client_for_module(settings, keys):
    clock = FrozenClock(at_tashkent(2026, 2, 2))
    application = create_app(settings, clock)
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
            yield c, keys, clock


def _log_rows(text: str) -> list[list[str]]:
    header, rows = sheets.csv_table(text)
    assert tuple(header) == LOG_HEADER
    return rows


async def test_R_2_2_registration_log_answers_json_unless_a_file_is_asked_for(
    client, keys, log_appeals
):
    """Paper cut (issue 17): the log answered CSV to a client that asked for nothing."""
    period = {"from": "2026-02-01", "to": "2026-02-05"}
    r = await client.get(LOG, params=period, headers=auth(keys[Role.REGISTRAR]))
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/json"
    log = r.json()
    assert (log["from"], log["to"]) == ("2026-02-01", "2026-02-05")
    assert [e["number"] for e in log["items"]] == [a["number"] for a in log_appeals[:5]]
    assert log["items"][0]["date_of_receipt"] == "2026-02-02"  # JSON keeps ISO dates
    assert log["items"][0]["responsible_unit"] == "Test unit"
    by_accept = await client.get(
        LOG, params=period, headers={**auth(keys[Role.REGISTRAR]), "Accept": "text/csv"}
    )
    assert by_accept.headers["content-type"] == "text/csv; charset=utf-8"


async def test_R_2_2_registration_log_columns_in_number_order(client, keys, log_appeals):
    r = await client.get(
        "/api/v1/reports/registration-log?from=2026-02-01&to=2026-02-05&format=csv&lang=en",
        headers=auth(keys[Role.REGISTRAR]),
    )
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "text/csv; charset=utf-8"
    rows = _log_rows(r.text)
    assert [row[0] for row in rows] == [a["number"] for a in log_appeals[:5]]
    days = ["02.02.2026", "02.02.2026", "03.02.2026", "03.02.2026", "04.02.2026"]
    assert [row[1] for row in rows] == days
    assert rows[0][2:] == ["Karimov Aziz Bahodirovich", "Dust from the tailings dam", "Test unit"]
    # Formula-looking text is quoted so that a spreadsheet shows it instead of running it.
    assert rows[1][2] == "'=cmd|' /C calc'!A0"
    assert rows[1][3] == '\'=HYPERLINK("http://evil") asks for money'
    assert rows[2][2] == "Karimov Aziz (collective appeal, 3 applicants)"
    assert rows[2][3] == " ".join(LONG_TEXT.split())[:200] and len(rows[2][3]) == 200
    assert rows[3][2] == "(no name given)"
    assert rows[4][2] == "Karimov Aziz Bahodirovich"  # the registrar sees a confidential name
    assert rows[1][4] == ""  # not routed yet


async def test_R_2_2_r8_2_registration_log_masks_confidential_applicants(
    client, keys, settings, log_appeals
):
    confidential = log_appeals[4]["id"]

    async def reads() -> list[tuple[str, str]]:
        conn = await asyncpg.connect(settings.database_url)
        try:
            rows = await conn.fetch(
                "SELECT role, via FROM personal_data_access WHERE appeal_id = $1 ORDER BY id",
                uuid.UUID(confidential),
            )
        finally:
            await conn.close()
        return [(r["role"], r["via"]) for r in rows]

    before = await reads()
    r = await client.get(
        "/api/v1/reports/registration-log?from=2026-02-04&to=2026-02-04&format=csv&lang=en",
        headers=auth(keys[Role.SUPERVISOR]),
    )
    (row,) = _log_rows(r.text)
    assert row[2] == "(confidential)"
    assert await reads() == before  # nothing personal was shown
    r = await client.get(
        "/api/v1/reports/registration-log?from=2026-02-04&to=2026-02-04&format=csv&lang=en",
        headers=auth(keys[Role.MANAGER]),
    )
    (row,) = _log_rows(r.text)
    assert row[2] == "Karimov Aziz Bahodirovich"
    assert await reads() == [*before, ("manager", "registration_log")]  # and the read is logged


async def test_R_2_2_registration_log_as_xlsx(client, keys, log_appeals):
    r = await client.get(
        "/api/v1/reports/registration-log?from=2026-02-01&to=2026-02-05&format=xlsx&lang=en",
        headers=auth(keys[Role.MANAGER]),
    )
    assert r.status_code == 200 and r.headers["content-type"] == XLSX
    by_accept = await client.get(
        "/api/v1/reports/registration-log?from=2026-02-01&to=2026-02-05",
        headers={**auth(keys[Role.MANAGER]), "Accept": XLSX},
    )
    assert by_accept.headers["content-type"] == XLSX
    table = sheets.workbook(r.content)["Registration log"]
    assert tuple(table.header) == LOG_HEADER
    rows = table.rows
    assert [row[0] for row in rows] == [a["number"] for a in log_appeals[:5]]
    assert rows[0][1] == datetime(2026, 2, 2)
    # Kept as text cells: the spreadsheet shows the text and never runs it.
    cell = table.sheet.cell(row=sheets.HEADING_ROWS + 3, column=3)
    assert cell.value == "=cmd|' /C calc'!A0" and cell.data_type == "s"
    assert rows[0][4] == "Test unit" and rows[1][4] is None


@pytest.mark.parametrize("role", [Role.ANALYST, Role.EXECUTOR, Role.INTAKE, Role.ADMIN])
async def test_R_2_2_registration_log_roles(client, keys, role):
    r = await client.get(
        "/api/v1/reports/registration-log?from=2026-02-01&to=2026-02-05", headers=auth(keys[role])
    )
    assert r.status_code == 403


@pytest.mark.parametrize(
    "query", ["from=2026-02-05&to=2026-02-01", "from=2025-01-01&to=2026-02-01", "from=2026-02-01"]
)
async def test_R_2_2_registration_log_bad_ranges(client, keys, query):
    r = await client.get(
        f"/api/v1/reports/registration-log?{query}", headers=auth(keys[Role.REGISTRAR])
    )
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/problem+json")
