"""The printed registration card (R-2.2): registration date, a confidential applicant marked
(never like an anonymous one, R-8.2), unambiguous labels, no rule ids, A4, `?format=html`, the
four languages; and the short-lived signed link that opens it without a header."""

from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest_asyncio

from appeals_api.auth.roles import Role
from tests.helpers import at_tashkent, auth
from tests.helpers.lifecycle import LEAD, Staff, Walk, make_staff, start
from tests.helpers.pages import assert_sealed


@pytest_asyncio.fixture
async def staff(client, keys, make_key) -> Staff:
    return await make_staff(client, keys, make_key)


async def _page(w: Walk, who: Role | str, lang: str) -> str:
    r = await w.client.get(
        f"/api/v1/appeals/{w.id}/card",
        params={"format": "html", "lang": lang},
        headers=auth(w.staff.key(who)),
    )
    assert r.status_code == 200, r.text
    assert_sealed(r)  # issue 19: the card had no Content-Security-Policy
    return r.text


async def _walk(client, staff, clock, **overrides) -> Walk:
    clock.set(at_tashkent(2026, 3, 2))  # a Monday
    w = await start(
        client, staff, clock, kind="application", form="written", channel="post",
        summary="Пыль с хвостохранилища", paper={"sheets": 2, "attachments": 1}, **overrides,
    )  # fmt: skip
    w.at(3, 3)
    await w.route(LEAD)
    w.at(3, 5)
    await w.act("lead", "record_measure", {"type": "hearing", "held_on": "2026-03-05",
                                           "description": "Heard the applicant."})  # fmt: skip
    w.at(3, 24)  # the answer was due 2026-03-17: overdue
    return w


async def test_R_2_2_the_printed_card_in_four_languages(client, staff, clock):
    w = await _walk(client, staff, clock, confidential=True)
    out = os.environ.get("CARD_HTML_DIR")  # to look at the pages in a browser
    for lang, registration, completed in (
        ("ru", "Дата регистрации", "Рассмотрение завершено"),
        ("uz-Cyrl", "Рўйхатга олинган сана", "Кўриб чиқиш якунланган сана"),
        ("uz", "Roʻyxatga olingan sana", "Koʻrib chiqish yakunlangan sana"),
        ("en", "Registration date", "Consideration completed"),
    ):
        page = await _page(w, Role.REGISTRAR, lang)
        assert f'<html lang="{lang}">' in page
        assert "@page { size: A4" in page
        assert registration in page and "02.03.2026" in page  # dd.mm.yyyy
        assert completed in page
        assert not re.search(r"\bR-\d", page), "no internal rule ids in printed text"
        assert "Karimov" in page and ("§9" in page or "9-" in page or "п. 9" in page)
        if out:
            Path(out, f"card-{lang}.html").write_text(page, encoding="utf-8")
    en = await _page(w, Role.REGISTRAR, "en")
    assert en.count("Completion date") == 0
    assert "Answer deadline" in en and "17.03.2026" in en
    assert "Karimov Aziz Bahodirovich (confidential, §9)" in en
    assert "overdue" in en and "2026-03-17" not in en


async def test_R_2_2_a_confidential_applicant_is_withheld_not_anonymous(client, staff, clock):
    w = await _walk(client, staff, clock, confidential=True)
    page = await _page(w, "lead", "en")
    assert "Identity withheld at the applicant&#x27;s request (§9)" in page
    assert "Karimov" not in page and "Anonymous" not in page and "(no name)" not in page
    anonymous = await _walk(client, staff, clock, applicants=[])
    r = await client.get(
        f"/api/v1/appeals/{anonymous.id}/card?format=html&lang=en",
        headers=auth(staff.key(Role.REGISTRAR)),
    )
    assert "Identity withheld" not in r.text
    card = (
        await client.get(f"/api/v1/appeals/{w.id}/card", headers=auth(staff.key("lead")))
    ).json()
    assert card["front"]["confidential"] is True and card["front"]["identity_withheld"] is True
    assert card["front"]["registration_date"] == "2026-03-02"


async def _link(w: Walk, who: Role | str, lang: str = "ru") -> str:
    r = await w.client.post(
        f"/api/v1/appeals/{w.id}/card/link", params={"lang": lang}, headers=auth(w.staff.key(who))
    )
    assert r.status_code == 200, r.text
    return str(r.json()["url"])


def _local(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


async def test_R_2_2_a_signed_link_opens_the_card_without_a_header(client, staff, clock):
    w = await _walk(client, staff, clock, confidential=True)
    url = await _link(w, Role.REGISTRAR)
    r = await client.get(_local(url))
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/html") and "Karimov" in r.text
    # The executor's link shows what the executor sees: the identity withheld.
    executor = await client.get(_local(await _link(w, "lead")))
    assert executor.status_code == 200 and "Karimov" not in executor.text
    # Tampered: another appeal, another key, a changed signature.
    query = parse_qs(urlsplit(url).query)
    other = await _walk(client, staff, clock)
    moved = _local(url).replace(w.id, other.id)
    assert (await client.get(moved)).status_code == 403
    forged = _local(url).replace(query["sig"][0], "A" + query["sig"][0][1:])
    if forged != _local(url):
        assert (await client.get(forged)).status_code == 403
    longer = _local(url).replace(f"exp={query['exp'][0]}", f"exp={int(query['exp'][0]) + 3600}")
    assert (await client.get(longer)).status_code == 403
    nosig = _local(url).split("&sig=")[0]
    assert (await client.get(nosig)).status_code == 401
    # Expired after ten minutes.
    clock.set(clock() + timedelta(minutes=11))
    expired = await client.get(_local(url))
    assert expired.status_code == 401
    assert expired.headers["content-type"].startswith("application/problem+json")
