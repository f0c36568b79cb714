"""Reports and exports in the reader's language (API.md conventions; issue 17): the quarterly
report (R-10.2, R-10.3), statistics (R-10.1), the control report (R-9.2) and the registration
log (R-2.2) as CSV and XLSX follow `?lang=` or Accept-Language (default uz): the columns' names,
codes as labels, dates as dd.mm.yyyy, yes/no in words; every XLSX opens with the company, the
report's name and its period above a bold, frozen, filtered header row.

Appeals generated for 2025 (the reports), and a few registered over HTTP (the log)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
import pytest_asyncio

from appeals_api import i18n
from appeals_api.auth.roles import Role
from appeals_api.control.router import CSV_COLUMNS as CONTROL_COLUMNS
from appeals_api.db import make_engine
from appeals_api.stats import seed, tables
from appeals_api.stats.schemas import COUNTERS
from tests.helpers import at_tashkent, auth, sheets

AS_OF = date(2025, 11, 30)
QUARTER = {"year": 2025, "quarter": 2}
COMPANY = {
    "uz": "«Olmaliq KMK» AJ",
    "uz-Cyrl": "«Олмалиқ КМК» АЖ",
    "ru": "АО «Алмалыкский ГМК»",
    "en": "JSC Almalyk MMC",
}


@pytest_asyncio.fixture(scope="module")
async def generated(settings) -> None:
    engine = make_engine(settings)
    try:
        await seed.seed(engine, settings, count=300, years=(2025, 2025), seed=17, today=AS_OF)
    finally:
        await engine.dispose()


@pytest.fixture
def as_of(clock):
    clock.set(at_tashkent(AS_OF.year, AS_OF.month, AS_OF.day, 12))


async def _get(client, keys, path: str, role: Role = Role.SUPERVISOR, **params: Any):
    headers = {**auth(keys[role])}
    if "accept_language" in params:
        headers["Accept-Language"] = params.pop("accept_language")
    r = await client.get(path, params=params, headers=headers)
    assert r.status_code == 200, r.text
    return r


def test_R_10_every_report_column_is_named_in_every_language() -> None:
    """No header falls back to a code: each column has its name in the four catalogs."""
    columns = {
        *tables.REPORT_COLUMNS,
        *tables.TOPIC_COLUMNS,
        *tables.LOG_COLUMNS,
        *tables.ABOUT_FIELDS,
        *CONTROL_COLUMNS,
        "field",
        "value",
    }
    for lang in i18n.LANGUAGES:
        words = i18n.catalog(lang)
        missing = [
            c
            for c in sorted(columns)
            if ("language" if c in i18n.LANGUAGES else "column", c) not in words
        ]
        assert missing == [], lang
        assert all(("definition", c) in words for c in COUNTERS), lang


async def test_R_10_2_quarterly_csv_in_ru_names_every_value(client, keys, generated, as_of):
    """Headers in Russian; the `name` column filled for every row (it was empty but for
    units): the kind's, channel's, outcome's label, the unit's and the topic's name."""
    report = (await _get(client, keys, "/api/v1/reports/quarterly", **QUARTER)).json()
    r = await _get(client, keys, "/api/v1/reports/quarterly", **QUARTER, format="csv",
                   accept_language="ru-RU,ru;q=0.9")  # fmt: skip
    header, rows = sheets.csv_table(r.text)
    assert all(row[2] for row in rows), [row for row in rows if not row[2]][:3]
    assert header[:5] == ["Разрез", "Код", "Наименование", "Поступило", "Рассмотрено"]
    by_key = {(row[0], row[1]): row[2] for row in rows}
    assert by_key[("Итого", "")] == "Итого"
    assert by_key[("Вид обращения", "complaint")] == "жалоба"
    assert by_key[("Канал поступления", "email")] == "электронная почта"
    assert by_key[("Результат", "satisfied")] == "удовлетворено"
    assert by_key[("Результат", "")] == "без результата"
    assert by_key[("Соблюдение срока", "late")] == "с нарушением срока"
    unit = next(u for u in report["breakdowns"]["unit"] if u["key"])
    assert by_key[("Подразделение", unit["key"])] == unit["name"]
    topic = next(t for t in report["by_topic"] if t["topic"])
    assert by_key[("Вопрос", topic["topic"])] == topic["names"]["ru"]


async def test_R_10_2_quarterly_xlsx_in_uz_cyrl_has_title_bold_frozen_filtered_header(
    client, keys, generated, as_of
):
    """Accept-Language uz-Cyrl: every sheet opens with the company, the report's name and the
    period (dd.mm.yyyy–dd.mm.yyyy), then a bold header row, frozen, with a filter, and
    columns wide enough for what they hold."""
    r = await _get(client, keys, "/api/v1/reports/quarterly", **QUARTER, format="xlsx",
                   accept_language="uz-Cyrl-UZ,ru;q=0.8")  # fmt: skip
    book = sheets.workbook(r.content)
    assert list(book) == ["Чораклик ҳисобот", "Масалалар бўйича", "Изоҳлар"]
    for name, table in book.items():
        company, title, period, _ = table.heading
        assert company == COMPANY["uz-Cyrl"], name
        assert title == "Мурожаатлар бўйича чораклик ҳисобот"
        assert period == "Давр: 01.04.2025–30.06.2025"
        sheet = table.sheet
        assert sheet["A2"].font.b and sheet["A2"].font.sz >= 14
        header_row = sheets.HEADING_ROWS + 1
        assert all(c.font.b for c in sheet[header_row] if c.value is not None), name
        assert sheet.freeze_panes == f"A{header_row + 1}"
        assert sheet.auto_filter.ref.startswith(f"A{header_row}:")
        assert sheet.auto_filter.ref.endswith(str(header_row + len(table.rows)))
        assert sheet.column_dimensions["A"].width >= 8
    main = book["Чораклик ҳисобот"]
    assert main.header[:3] == ["Кесим", "Код", "Номи"]
    assert main.sheet.column_dimensions["C"].width >= len("Жами") + 2
    kinds = {r[1]: r[2] for r in main.rows if r[0] == "Мурожаат тури"}
    assert kinds == {"application": "ариза", "proposal": "таклиф", "complaint": "шикоят"}
    about = {r[0]: r[1] for r in book["Изоҳлар"].rows if r[0]}
    assert about["Давр боши"] == datetime(2025, 4, 1)
    start = next(c for c in book["Изоҳлар"].sheet["B"] if c.value == datetime(2025, 4, 1))
    assert start.number_format == "DD.MM.YYYY"
    assert "қаноатлантирилган" in about["Қаноатлантирилган"].lower()


async def test_R_10_2_reports_default_to_uzbek_latin(client, keys, generated, as_of):
    """No `lang`, no Accept-Language: the files are in Uzbek (Latin), as API.md says."""
    r = await _get(client, keys, "/api/v1/reports/quarterly", **QUARTER, format="csv")
    header, rows = sheets.csv_table(r.text)
    assert header[:3] == ["Kesim", "Kod", "Nomi"]
    assert rows[0][0] == "Jami"
    x = await _get(client, keys, "/api/v1/reports/quarterly", **QUARTER, format="xlsx")
    (company, title, _, _) = sheets.workbook(x.content)["Choraklik hisobot"].heading
    assert (company, title) == (COMPANY["uz"], "Murojaatlar boʻyicha choraklik hisobot")


async def test_R_10_1_stats_as_csv_and_xlsx_with_labels(client, keys, generated, as_of):
    """GET /stats as files: the keys' labels and the counters' names, in the language."""
    params = {"from": "2025-04-01", "to": "2025-06-30", "group_by": "kind,form"}
    answer = (await _get(client, keys, "/api/v1/stats", **params)).json()
    r = await _get(client, keys, "/api/v1/stats", **params, format="csv", lang="ru")
    assert r.headers["content-type"] == "text/csv; charset=utf-8"
    header, rows = sheets.csv_table(r.text)
    assert header[:4] == ["Вид", "Форма", "Поступило", "Рассмотрено"]
    assert len(rows) == len(answer["rows"])
    assert ("заявление", "письменное") in {(row[0], row[1]) for row in rows}
    assert sum(int(row[2]) for row in rows) == sum(a["received"] for a in answer["rows"])
    by_month = await _get(client, keys, "/api/v1/stats", **{**params, "group_by": "month"},
                          format="csv", lang="ru")  # fmt: skip
    assert sheets.csv_table(by_month.text)[1][0][0] == "04.2025"
    x = await _get(client, keys, "/api/v1/stats", **params, format="xlsx", lang="en")
    (table,) = sheets.workbook(x.content).values()
    assert table.heading[:3] == [COMPANY["en"], "Statistics of appeals",
                                 "Period: 01.04.2025–30.06.2025"]  # fmt: skip
    assert table.header[:3] == ["Kind", "Form", "Received"]


async def test_R_9_2_control_report_prints_yes_no_labels_and_dates(client, keys, generated, as_of):
    """The control report's CSV printed `True`/`False`, codes and ISO dates; now yes/no,
    labels and dd.mm.yyyy in the language, and it comes as XLSX too."""
    r = await _get(client, keys, "/api/v1/reports/control", soon=30, format="csv",
                   accept_language="ru")  # fmt: skip
    assert "True" not in r.text and "False" not in r.text
    header, rows = sheets.csv_table(r.text)
    assert header[:6] == ["Подразделение", "Исполнитель", "Регистрационный номер", "Статус",
                          "Вид срока", "Срок"]  # fmt: skip
    assert rows, "the generated year leaves open stages"
    lead, overdue = header.index("Головной исполнитель"), header.index("Просрочено")
    assert {row[lead] for row in rows} | {row[overdue] for row in rows} == {"да", "нет"}
    assert all(datetime.strptime(row[5], "%d.%m.%Y") for row in rows)
    labels = set(i18n.catalog("ru").values())
    assert {row[0] for row in rows} <= {"TEST-UNIT", "не направлено"}  # no "(not routed)"
    assert {row[3] for row in rows} <= labels and {row[4] for row in rows} <= labels
    x = await _get(client, keys, "/api/v1/reports/control", soon=30, format="xlsx", lang="uz")
    (table,) = sheets.workbook(x.content).values()
    assert table.heading[0] == COMPANY["uz"]
    assert table.heading[1].startswith("Nazorat hisoboti")
    assert {r[lead] for r in table.rows} | {r[overdue] for r in table.rows} == {"ha", "yoʻq"}
