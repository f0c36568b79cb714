"""Search (issue 15; API.md `GET /api/v1/appeals?q=`): Uzbek Latin and Cyrillic meet, Russian
word forms match, a name with a typo matches, best match first, with every filter and the
cursor — and a search by personal data never tells a reader who may not see a confidential
appeal's applicants that it matched (R-8.2)."""

from __future__ import annotations

import pytest
import pytest_asyncio

from appeals_api.auth.roles import Role
from appeals_api.config import Settings
from tests.helpers import auth
from tests.helpers.documents import pdf, upload
from tests.helpers.lifecycle import LEAD, Staff, make_staff, start
from tests.helpers.search import index_new_appeals


@pytest_asyncio.fixture
async def staff(client, keys, make_key) -> Staff:
    return await make_staff(client, keys, make_key)


_INDEXED: dict[str, Settings] = {}


@pytest.fixture(autouse=True)
def _index_before_searching(settings: Settings) -> None:
    """The searches below see every appeal made before them, as they would a tick after
    intake: `_search` builds the new appeals' documents first, as the worker does."""
    _INDEXED["settings"] = settings


def _person(last_name: str, **extra: object) -> dict[str, object]:
    return {
        "type": "individual",
        "last_name": last_name,
        "first_name": "Alisher",
        "address": "Olmaliq, Navoiy ko'chasi 7",
        **extra,
    }


async def _search(client, token: str, q: str, **params: object) -> dict:
    await index_new_appeals(_INDEXED["settings"])
    r = await client.get("/api/v1/appeals", params={"q": q, **params}, headers=auth(token))
    assert r.status_code == 200, r.text
    return r.json()


async def _ids(client, token: str, q: str, **params: object) -> list[str]:
    return [a["id"] for a in (await _search(client, token, q, **params))["items"]]


async def test_search_uzbek_latin_cyrillic_and_a_typo_find_the_same_person(client, staff, clock):
    """API.md: Uzbek Latin and Cyrillic match each other; a name with a typo still matches."""
    cyrillic = await start(client, staff, clock, applicants=[_person("Тошматов")])
    typo = await start(client, staff, clock, applicants=[_person("Tashmatov")])
    other = await start(client, staff, clock, applicants=[_person("Qodirov")])
    reader = staff.keys[Role.SUPERVISOR]
    for q in ("Toshmatov", "Тошматов", "toshmatov"):
        found = await _ids(client, reader, q)
        assert cyrillic.id in found and typo.id in found, q
        assert other.id not in found, q
    # The exact spelling ranks above the typo.
    found = await _ids(client, reader, "Tashmatov")
    assert found.index(typo.id) < found.index(cyrillic.id)


async def test_search_the_apostrophe_letters_are_one_letter_in_either_script(client, staff, clock):
    w = await start(client, staff, clock, text="Mening o‘g‘lim maktabga bormayapti, yordam bering.")
    other = await start(client, staff, clock, text="Qizim maktabga bormayapti.")
    reader = staff.keys[Role.REGISTRAR]
    for q in ("o'g'lim", "oʻgʻlim", "o`g`lim", "o’g’lim", "ўғлим", "Ўғлим"):
        found = await _ids(client, reader, q)
        assert w.id in found and other.id not in found, q


async def test_search_russian_word_forms_match(client, staff, clock):
    w = await start(
        client, staff, clock, language="ru", text="Третий день нет горячая вода в доме."
    )
    reader = staff.keys[Role.REGISTRAR]
    page = await _search(client, reader, "горячей воды")
    hit = next(a for a in page["items"] if a["id"] == w.id)
    assert "«горячая»" in hit["search"]["snippet"] and hit["search"]["rank"] > 0
    assert w.id not in await _ids(client, reader, "холодной воды")


async def test_search_phone_and_email_exact(client, staff, clock):
    w = await start(
        client,
        staff,
        clock,
        applicants=[_person("Phonov", phone="+998 93 555-12-34", email="phonov@mail.uz")],
    )
    reader = staff.keys[Role.REGISTRAR]
    for q in ("+998 93 555 12 34", "998935551234", "93 555 12 34", "phonov@mail.uz"):
        assert await _ids(client, reader, q) == [w.id], q
    assert w.id not in await _ids(client, reader, "+998 93 555 12 35")


async def test_search_channel_reference_letter_number_and_document_name(client, staff, clock):
    w = await start(client, staff, clock, external_ref="EGOV-77123")
    await w.route(LEAD)
    await w.answer(outcome="satisfied")  # sent as letter 01-123
    r = await upload(client, staff.keys[Role.REGISTRAR], w.id, pdf(2000), name="dalolatnoma.pdf")
    assert r.status_code == 201, r.text
    reader = staff.keys[Role.REGISTRAR]
    assert await _ids(client, reader, "EGOV-77123") == [w.id]
    assert w.id in await _ids(client, reader, "01-123")
    assert w.id in await _ids(client, reader, "measures")  # the response's text
    assert await _ids(client, reader, "dalolatnoma") == [w.id]


async def test_search_the_better_match_first_and_combined_with_status(client, staff, clock):
    # The better match is the older one: newest-number-first would put it second.
    twice = await start(
        client, staff, clock, text="Shovqin, shovqin va yana shovqin: kechasi yuk mashinalari."
    )
    once = await start(client, staff, clock, text="Shovqin haqida: yuk mashinalari kechasi.")
    reader = staff.keys[Role.REGISTRAR]
    found = await _ids(client, reader, "shovqin")
    assert found.index(twice.id) < found.index(once.id)
    await once.route(LEAD)
    assert await _ids(client, reader, "shovqin", status="in_consideration") == [once.id]
    assert twice.id in await _ids(client, reader, "shovqin", status="registered")


async def test_search_pages_through_ranked_results_with_the_cursor(client, staff, clock):
    made = [
        await start(client, staff, clock, text="Chang " * (i + 1) + "ko'chada.") for i in range(5)
    ]
    reader = staff.keys[Role.REGISTRAR]
    seen, cursor = [], None
    while True:
        page = await _search(
            client, reader, "chang", limit=2, **({"cursor": cursor} if cursor else {})
        )
        seen += [a["id"] for a in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [w.id for w in reversed(made)]  # most mentions first, each once
    r = await client.get(
        "/api/v1/appeals", params={"q": "chang", "cursor": "MjAyNjox"}, headers=auth(reader)
    )
    assert r.status_code == 400  # a list's cursor is not a search's


async def test_R_8_2_search_by_personal_data_is_no_oracle_for_executor_and_supervisor(
    client, staff, clock
):
    secret = _person("Sirlieva", phone="+998 97 444 00 11", email="sirli@mail.uz")
    hidden = await start(
        client, staff, clock, confidential=True, applicants=[secret], text="Suv quvuri yorilgan."
    )
    await hidden.route(LEAD)
    r = await upload(client, staff.keys[Role.REGISTRAR], hidden.id, pdf(2000), name="sirli.pdf")
    assert r.status_code == 201, r.text
    queries = ("Sirlieva", "Сирлиева", "Sirliyeva", "998974440011", "sirli@mail.uz", "sirli")
    for who in (Role.REGISTRAR, Role.MANAGER):
        for q in queries:
            assert hidden.id in await _ids(client, staff.keys[who], q), (who, q)
    for token in (staff.keys[Role.SUPERVISOR], staff.lead):
        for q in queries:
            assert await _ids(client, token, q) == [], q
        # What they may see still matches: the text.
        page = await _search(client, token, "quvuri")
        assert [a["id"] for a in page["items"]] == [hidden.id]
        assert "Sirli" not in str(page)
    # An executor of another unit does not see the appeal at all.
    assert await _ids(client, staff.second, "quvuri") == []


async def test_search_counts_its_matches_and_comes_best_first_whatever_the_sort(
    client, staff, clock
):
    """Issue 15: `count=true` counts the matches over all pages; `sort` does not apply to a
    search (it comes best first), so asking for both is refused, not silently ignored."""
    for i in range(3):
        await start(client, staff, clock, text=f"Kanalizatsiya toshib ketdi, {i}-uy.")
    await start(client, staff, clock, text="Yo'l chiroqlari yonmayapti.")
    reader = staff.keys[Role.REGISTRAR]
    page = await _search(client, reader, "kanalizatsiya", limit=1, count="true")
    assert page["total"] == 3 and len(page["items"]) == 1
    r = await client.get(
        "/api/v1/appeals", params={"q": "kanalizatsiya", "sort": "due"}, headers=auth(reader)
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "sort", r.text


async def test_search_a_new_appeal_is_found_once_the_worker_has_built_its_documents(
    client, staff, clock, settings
):
    """Issue 15: intake writes nothing for the search index (building its documents in
    intake's transaction cost 40 % of intake's throughput); the worker's `refresh_search`
    builds them from the feed's `appeal.registered` a tick later, and then the appeal is found."""
    from appeals_api import outbound
    from appeals_api.db import make_engine, make_sessionmaker
    from appeals_api.worker import refresh_search
    from appeals_api.worker_context import WorkerContext

    await index_new_appeals(settings)  # what earlier tests left
    w = await start(client, staff, clock, text="Issiq suv quvurlari zanglagan, almashtiring.")
    reader = staff.keys[Role.REGISTRAR]
    r = await client.get("/api/v1/appeals", params={"q": "zanglagan"}, headers=auth(reader))
    assert r.json()["items"] == []  # not yet: intake did not build its documents
    engine = make_engine(settings)
    try:
        async with outbound.make_client() as http:
            context = WorkerContext(
                settings=settings, clock=clock, sessionmaker=make_sessionmaker(engine), http=http
            )
            assert await refresh_search(context.into({})) == 1
    finally:
        await engine.dispose()
    r = await client.get("/api/v1/appeals", params={"q": "zanglagan"}, headers=auth(reader))
    assert [a["id"] for a in r.json()["items"]] == [w.id]


async def test_R_12_2_a_correction_before_the_index_is_built_is_what_search_finds(
    client, staff, clock, settings
):
    """R-12.2, issue 15: a summary corrected before the worker built the new appeal's search row
    is what search finds: the correction's refresh builds the row from the corrected appeal,
    and the worker's later build of the registered appeal leaves that row as it is."""
    await index_new_appeals(settings)  # what earlier tests left
    w = await start(client, staff, clock, text="Kanalizatsiya toshib ketgan, hid kelyapti.")
    reader = staff.keys[Role.REGISTRAR]
    r = await client.patch(
        f"/api/v1/appeals/{w.id}",
        json={"summary": "Elektr simlari uzilib yotibdi", "reason": "summary of another"},
        headers=auth(reader),
    )
    assert r.status_code == 200, r.text
    assert await index_new_appeals(settings) == 0  # the correction built it already
    assert [a["id"] for a in (await _search(client, reader, "simlari"))["items"]] == [w.id]


async def test_search_with_many_matches_lists_the_newest_first_and_counts_them_all(
    client, staff, clock, monkeypatch
):
    """Issue 15 (bench/RESULTS.md): ranking every one of tens of thousands of matches costs
    seconds, so when the words match more than RANKED_AT_MOST appeals they come newest first;
    few matches are ranked, best first; the count counts every match; a later page keeps its
    first page's order even when the matches have grown past the bound meanwhile."""
    from appeals_api.appeals.search import repository as search_repository

    made = [
        await start(client, staff, clock, text="Tutun " * (3 - i) + "zavod ustida.")
        for i in range(3)
    ]
    reader = staff.keys[Role.REGISTRAR]
    assert await _ids(client, reader, "tutun") == [w.id for w in made]  # most mentions first
    first = await _search(client, reader, "tutun", limit=1)
    monkeypatch.setattr(search_repository, "RANKED_AT_MOST", 2)
    page = await _search(client, reader, "tutun", count="true")
    assert [a["id"] for a in page["items"]] == [w.id for w in reversed(made)]
    assert page["total"] == 3
    seen = [a["id"] for a in first["items"]]
    cursor = first["next_cursor"]
    while cursor:
        more = await _search(client, reader, "tutun", limit=1, cursor=cursor)
        seen += [a["id"] for a in more["items"]]
        cursor = more["next_cursor"]
    assert seen == [w.id for w in made]  # still best first: the order the first page chose


async def test_search_many_matches_are_told_by_the_newest_or_by_the_index(
    client, staff, clock, settings, monkeypatch
):
    """Issue 15: whether the words match many is asked first of the newest appeals (cheap for
    a common word), then of the index: matches only among older appeals still count."""
    from appeals_api.appeals.search import repository as search_repository

    made = [
        await start(client, staff, clock, text="Qum " * (3 - i) + "bo'roni ko'chada.")
        for i in range(3)
    ]
    await start(client, staff, clock, text="Boshqa masala: chiroq yonmaydi.")
    await index_new_appeals(settings)
    reader = staff.keys[Role.REGISTRAR]
    monkeypatch.setattr(search_repository, "RANKED_AT_MOST", 2)
    monkeypatch.setattr(search_repository, "NEWEST_PROBED", 1)  # the newest has no "qum"
    page = await _search(client, reader, "qum")
    # Newest first; ranked, the most mentions (the oldest) would come first.
    assert [a["id"] for a in page["items"]] == [w.id for w in reversed(made)]


async def test_search_leaves_the_connection_as_it_found_it(settings):
    """Issue 15: a search plans for its own words (custom plans, no parallel workers) on a
    connection the pool then gives to other requests: the settings are restored after."""
    from sqlalchemy import text

    from appeals_api.appeals.search import repository as search_repository
    from appeals_api.db import make_engine, make_sessionmaker

    engine = make_engine(settings)
    show = text("SELECT current_setting('plan_cache_mode')")
    try:
        async with make_sessionmaker(engine, autocommit=True)() as session:
            before = await session.scalar(show)
            async with search_repository.planned_for_its_words(session):
                assert await session.scalar(show) == "force_custom_plan"
            assert await session.scalar(show) == before == "auto"
    finally:
        await engine.dispose()


async def test_search_counts_up_to_a_bound_and_says_so(client, staff, clock, monkeypatch):
    """Issue 15: a search's count stops past COUNTED_AT_MOST (counting 70,000 matches took
    seconds) and says it is not every match; under the bound it is exact."""
    from appeals_api.appeals.reading import service as reading_service

    for _ in range(3):
        await start(client, staff, clock, text="Yomg'ir suvi hovliga oqib kiryapti.")
    reader = staff.keys[Role.REGISTRAR]
    exact = await _search(client, reader, "hovliga", count="true")
    assert (exact["total"], exact["total_exact"]) == (3, True)
    monkeypatch.setattr(reading_service, "COUNTED_AT_MOST", 2)
    bounded = await _search(client, reader, "hovliga", count="true")
    assert (bounded["total"], bounded["total_exact"]) == (2, False)
    assert len(bounded["items"]) == 3  # the pages still hold every match


def test_search_a_typo_asks_the_index_for_enough_of_the_rarer_trigrams():
    """Issue 15 (pigeonhole): a name sharing ⌊0.6 n⌋ of a word's n trigrams holds one of any
    n − ⌊0.6 n⌋ + 1 of them, so that many are asked for, the rarest first."""
    from appeals_api.appeals.search import grams

    word = ("  t", " to", "tos", "osh", "shm", "hma", "mat", "ato", "tov", "ov ")
    frequency = {"ov ": 0.9, "tov": 0.5, "  t": 0.2, " to": 0.2}
    picked = grams.rarer(word, 0.6, frequency)
    assert len(picked) == 10 - 6 + 1
    assert not set(picked) & set(frequency)  # the common endings are never asked for
    assert grams.rarer(("ab ",), 0.6, {}) == ("ab ",)
    assert grams.rarer((), 0.6, {}) == ()


async def test_search_stale_statistics_never_change_what_a_typo_matches(
    client, staff, clock, monkeypatch
):
    """Issue 15: the rarer trigrams come from statistics read once a while; whichever they
    say is rare, a name with a typo is found the same."""
    from appeals_api.appeals.search import grams

    typo = await start(client, staff, clock, applicants=[_person("Tashmatov")])
    reader = staff.keys[Role.SUPERVISOR]
    assert typo.id in await _ids(client, reader, "Toshmatov")
    word = ("  t", " to", "tos", "osh", "shm", "hma", "mat", "ato", "tov", "ov ")
    for rare_first in (word, tuple(reversed(word))):
        told = {g: i / 10 for i, g in enumerate(reversed(rare_first))}

        async def stale(session, told=told):
            return told

        monkeypatch.setattr(grams, "frequencies", stale)
        assert typo.id in await _ids(client, reader, "Toshmatov"), rare_first


async def test_R_8_2_whether_words_match_many_counts_hidden_applicants_only_for_who_sees_them(
    client, staff, clock, monkeypatch
):
    """R-8.2: the order of a page (best first for few matches, newest first for many) tells
    a reader who may not see a confidential appeal's applicants nothing about them: their
    names count towards "many" only for those who see them."""
    from appeals_api.appeals.search import repository as search_repository

    monkeypatch.setattr(search_repository, "RANKED_AT_MOST", 8)  # many: more than 2 newest
    best = await start(client, staff, clock, text="Qosimova Qosimova Qosimova haqida ariza.")
    newer = await start(client, staff, clock, text="Qosimova haqida yana bir ariza.")
    hidden = [
        await start(
            client,
            staff,
            clock,
            confidential=True,
            applicants=[_person("Qosimova")],
            text="Chiroq yonmaydi.",
        )
        for _ in range(3)
    ]
    for appeal in (best, newer, *hidden):
        await appeal.route(LEAD)
    registrar = await _ids(client, staff.keys[Role.REGISTRAR], "Qosimova")
    assert registrar == [a.id for a in reversed((best, newer, *hidden))]  # many: newest first
    for token in (staff.keys[Role.SUPERVISOR], staff.lead):
        # Two matches they may find: few, ranked, the most mentions first.
        assert await _ids(client, token, "Qosimova") == [best.id, newer.id]
