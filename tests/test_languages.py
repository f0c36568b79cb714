"""API.md conventions, R-8.1: what people read follows `?lang=` or `Accept-Language` (uz, the
default; uz-Cyrl; ru; en): the card with its codes' labels and dd.mm.yyyy dates, a letter in
its own language, problem titles and details, and `GET /api/v1/labels` for every code."""

from __future__ import annotations

import enum
import importlib
import pkgutil
import re
import uuid

import pytest
import pytest_asyncio

import appeals_api
from appeals_api import i18n
from appeals_api.auth.roles import Role
from appeals_api.labels.sets import CODE_SETS
from tests.helpers import at_tashkent, auth
from tests.helpers.lifecycle import LEAD, Staff, Walk, make_staff, start

# StrEnums that never reach a reader as a code: a query's sort order, a delivery's verdict.
NOT_LABELLED = {"Sort", "Verdict"}


@pytest_asyncio.fixture
async def staff(client, keys, make_key) -> Staff:
    return await make_staff(client, keys, make_key)


async def _routed(client, staff, clock) -> Walk:
    clock.set(at_tashkent(2026, 3, 2))  # a Monday
    w = await start(
        client, staff, clock, kind="application", form="written", channel="post",
        paper={"sheets": 2, "attachments": 1}, confidential=False,
    )  # fmt: skip
    w.at(3, 3)
    await w.route(LEAD)
    return w


@pytest.mark.parametrize(
    ("accept", "lang", "words"),
    [
        (
            "ru-RU,ru;q=0.9",
            "ru",
            ["Регистрационная карточка", "Дата регистрации", "заявление", "письменное", "почта"],
        ),
        (
            "uz-Cyrl-UZ",
            "uz-Cyrl",
            ["рўйхатга олиш карточкаси", "Рўйхатга олинган сана", "ариза", "ёзма", "почта"],
        ),
    ],
)
async def test_R_8_1_the_card_follows_accept_language_with_labels_and_office_dates(
    client, staff, clock, accept, lang, words
):
    w = await _routed(client, staff, clock)
    r = await client.get(
        f"/api/v1/appeals/{w.id}/card",
        headers={
            **auth(staff.key(Role.REGISTRAR)),
            "Accept": "text/html",
            "Accept-Language": accept,
        },
    )
    assert r.status_code == 200, r.text
    assert r.headers["content-language"] == lang
    page = r.text
    assert f'<html lang="{lang}">' in page
    for word in words:
        assert word in page, word
    assert "02.03.2026" in page and "2026-03-02" not in page  # dd.mm.yyyy, never ISO
    for code in ("application", "written", "registered", "dispatched"):
        assert f">{code}<" not in page, f"raw code {code} printed"


async def test_R_6_4_a_letter_in_russian_prints_its_words_in_russian(client, staff, clock):
    w = await _routed(client, staff, clock)
    w.at(3, 10)
    answer = {"outcome": "rejected", "text": "Нарушений не выявлено.", "language": "ru"}
    await w.act("lead", "respond", {**answer, "grounds": "§39: нарушений нет."})
    await w.act(Role.MANAGER, "sign")
    await w.act(Role.REGISTRAR, "send", {"letter_number": "07-15/321"})
    letters = await client.get(
        f"/api/v1/appeals/{w.id}/letters", headers=auth(staff.key(Role.REGISTRAR))
    )
    (letter,) = letters.json()["items"]
    # The reader's Accept-Language does not change a letter: it prints in its own language.
    r = await client.get(
        f"/api/v1/letters/{letter['id']}",
        params={"format": "html"},
        headers={**auth(staff.key(Role.REGISTRAR)), "Accept-Language": "en"},
    )
    assert r.status_code == 200, r.text
    page = r.text
    assert '<html lang="ru">' in page
    words = ["АО «Алмалыкский ГМК»", "Ответ на обращение", "Кому", "Подписал", "Дата"]
    words += ["Результат рассмотрения", "отказано", "Основания", "в вышестоящий орган"]
    for word in words:
        assert word in page, word
    assert f"Ваше обращение № {w.appeal['number']} от 02.03.2026 рассмотрено." in page
    assert "10.03.2026" in page and "2026-03-10" not in page
    assert "Response to the appeal" not in page and "Signed by" not in page


async def test_R_8_1_a_404_speaks_the_readers_language_and_keeps_its_shape(client, keys):
    path = f"/api/v1/appeals/{uuid.uuid4()}"
    key = auth(keys[Role.REGISTRAR])
    expected = {
        "ru": ("Не найдено", "Такого обращения нет."),
        "uz-Cyrl": ("Топилмади", "Бундай мурожаат йўқ."),
        "en": ("Not found", "No such appeal."),
    }
    for lang, (title, detail) in expected.items():
        r = await client.get(path, headers={**key, "Accept-Language": lang})
        assert r.status_code == 404, r.text
        assert r.headers["content-type"].startswith("application/problem+json")
        assert r.headers["content-language"] == lang
        body = r.json()
        assert body == {
            "type": "https://appeals.almalyk.uz/problems/not_found",
            "title": title,
            "status": 404,
            "detail": detail,
            "code": "not_found",
        }
    plain = await client.get(path, headers=key)  # no language asked: uz, the default
    assert plain.headers["content-language"] == "uz"
    assert (plain.json()["title"], plain.json()["detail"]) == ("Topilmadi", "Bunday murojaat yoʻq.")
    # `?lang=` wins over Accept-Language where the route takes it (the card).
    card = await client.get(
        f"{path}/card", params={"lang": "ru"}, headers={**key, "Accept-Language": "en"}
    )
    assert card.status_code == 404 and card.json()["title"] == "Не найдено"


async def test_R_8_1_a_422_in_russian_keeps_the_field_list_as_codes(client, keys):
    r = await client.get(
        "/api/v1/appeals",
        params={"stauts": "registered"},
        headers={**auth(keys[Role.REGISTRAR]), "Accept-Language": "ru"},
    )
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["type"].endswith("/validation_error") and body["code"] == "validation_error"
    assert body["title"] == "Ошибка в запросе"
    assert body["detail"] == "В запросе неверные поля: stauts."
    assert [e["field"] for e in body["errors"]] == ["stauts"]
    unauthorized = await client.get("/api/v1/appeals", headers={"Accept-Language": "ru"})
    assert unauthorized.status_code == 401
    assert unauthorized.json()["title"] == "Требуется аутентификация"
    assert unauthorized.json()["detail"].startswith("Требуется API-ключ или токен входа")


async def test_R_8_1_a_refused_action_names_the_status_and_action_by_their_labels(
    client, staff, clock
):
    clock.set(at_tashkent(2026, 3, 2))
    w = await start(client, staff, clock)
    r = await client.post(
        f"/api/v1/appeals/{w.id}/actions/remove_from_control",
        json={},
        headers={**auth(staff.key(Role.REGISTRAR)), "Accept-Language": "ru"},
    )
    assert r.status_code == 409, r.text
    body = r.json()
    assert body["code"] == "action_not_allowed" and body["allowed_actions"]
    assert body["title"] == "Действие недоступно в этом состоянии"
    assert body["detail"] == (
        "Для обращения в статусе «зарегистрировано» действие «снятие с контроля» недоступно."
    )


def _enums() -> dict[str, type[enum.StrEnum]]:
    """Every StrEnum the service defines."""
    found: dict[str, type[enum.StrEnum]] = {}
    for info in pkgutil.walk_packages(appeals_api.__path__, "appeals_api."):
        if ".devstack" in info.name:
            continue
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, enum.StrEnum)
                and value.__module__ == info.name
            ):
                found[value.__name__] = value
    return found


def test_R_8_1_every_enum_is_a_labelled_code_set():
    """A new enum the JSON carries must join `labels.sets` (and its codes `codes.po`)."""
    sets = {frozenset(codes) for codes in CODE_SETS.values()}
    missing = [
        name
        for name, values in _enums().items()
        if name not in NOT_LABELLED and frozenset(str(v) for v in values) not in sets
    ]
    assert missing == []


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
async def test_R_8_1_labels_cover_every_code_in_every_language(client, lang):
    r = await client.get("/api/v1/labels", params={"lang": lang})
    assert r.status_code == 200, r.text
    assert r.headers["content-language"] == lang
    body = r.json()
    assert body["lang"] == lang and set(body["labels"]) == set(CODE_SETS)
    words = i18n.catalog(lang)
    unlabelled = [
        f"{name}.{code}"
        for name, codes in CODE_SETS.items()
        for code in codes
        if not words.get(("code", code)) or body["labels"][name][code] != words[("code", code)]
    ]
    assert unlabelled == []
    if lang == "ru":
        assert body["labels"]["kind"]["application"] == "заявление"
        assert body["labels"]["status"]["registered"] == "зарегистрировано"


async def test_R_8_1_labels_follow_accept_language_and_refuse_unknown_parameters(client):
    r = await client.get("/api/v1/labels", headers={"Accept-Language": "uz-Cyrl"})
    assert r.status_code == 200 and r.json()["lang"] == "uz-Cyrl"
    assert r.json()["labels"]["form"]["written"] == "ёзма"
    assert (await client.get("/api/v1/labels")).json()["lang"] == "uz"
    bad = await client.get("/api/v1/labels", params={"lang": "ru", "langg": "en"})
    assert bad.status_code == 422 and bad.json()["title"] == "Ошибка в запросе"


def test_R_8_1_a_translated_refusal_keeps_its_clause_and_rule_ids():
    """A refusal names the clause and rule that refuse (§36, R-3.4) in every language."""
    english = i18n.catalog("en")
    ids = re.compile(r"§\d+|R-\d+\.\d+")
    for lang in i18n.LANGUAGES:
        words = i18n.catalog(lang)
        lost = [
            (lang, key[1])
            for key in english
            if key[0] in (None, "problem")
            and set(ids.findall(key[1])) - set(ids.findall(words[key]))
        ]
        assert lost == []
