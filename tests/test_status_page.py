"""R-8.1: the applicant's status page `/status` (form and answer, four languages, no personal
data, one neutral message for a wrong pair, security headers) and the labels the JSON lookup
adds; strangers' wrong codes never lock the holder of the right code out."""

from __future__ import annotations

import base64
import hashlib
import re

import httpx

from appeals_api.auth.roles import Role
from appeals_api.clock import FrozenClock
from tests.helpers import appeal_body, at_tashkent, auth
from tests.helpers.peers import app_peers

HOLDER = "198.51.100.10"


async def _register(client: httpx.AsyncClient, key: str) -> dict[str, object]:
    r = await client.post("/api/v1/appeals", json=appeal_body(), headers=auth(key))
    assert r.status_code == 201, r.text
    return r.json()


def _visible_text(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)


async def test_R_8_1_status_form_is_an_accessible_page_in_the_chosen_language(client):
    r = await client.get("/status", params={"lang": "ru"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    html = r.text
    assert '<html lang="ru">' in html
    assert "Статус вашего обращения" in html
    assert '<label for="number">' in html and 'id="number"' in html
    assert '<label for="code">' in html and 'id="code"' in html
    assert '<form method="post" action="/status">' in html
    assert "<script" not in html
    for shown in (">uz<", ">ўз<", ">ru<", ">en<"):
        assert shown in html
    assert 'href="/status?lang=ru" hreflang="ru" lang="ru"' in html
    # Accept-Language chooses when ?lang= is absent; uz (Latin) is the default.
    r = await client.get("/status", headers={"Accept-Language": "uz-Cyrl-UZ"})
    assert '<html lang="uz-Cyrl">' in r.text and "Мурожаатингиз ҳолати" in r.text
    r = await client.get("/status")
    assert '<html lang="uz">' in r.text and "Murojaatingiz holati" in r.text


async def test_R_8_1_status_pages_carry_security_headers(client):
    for r in (
        await client.get("/status"),
        await client.post("/status", data={"number": "1/26", "code": "WRONGWRONG12"}),
    ):
        csp = r.headers["Content-Security-Policy"]
        assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
        assert "script-src" not in csp and "unsafe-inline" not in csp
        assert r.headers["X-Content-Type-Options"] == "nosniff"
        assert r.headers["Cache-Control"] == "no-store"
        # The page's one inline style is the one the policy admits by its hash.
        style = re.search(r"<style>(.*?)</style>", r.text, re.S)
        assert style is not None
        digest = base64.b64encode(hashlib.sha256(style[1].encode()).digest()).decode()
        assert f"style-src 'sha256-{digest}'" in csp


async def test_R_8_1_status_page_shows_status_and_dates_without_personal_data(client, keys):
    made = await _register(client, keys[Role.REGISTRAR])
    number, code = str(made["number"]), str(made["tracking_code"])
    r = await client.post("/status", data={"number": number, "code": code, "lang": "ru"})
    assert r.status_code == 200, r.text
    html = r.text
    assert '<html lang="ru">' in html
    assert f"Обращение № {number}" in html
    assert "зарегистрировано" in html  # the status's label, not the code
    due = str(made["due_date"])
    assert f"{due[8:10]}.{due[5:7]}.{due[0:4]}" in html  # dd.mm.yyyy
    assert "Ответ на обращение" in html  # the answer stage, by its label
    text = _visible_text(html)
    for secret in ("Karimov", "Aziz", "Navoi", "+998", str(made["id"]), "Dust", code):
        assert secret not in text
    # The same answer in uz-Cyrl, the code typed in lower case with a reading dash.
    spaced = code[:4].lower() + "-" + code[4:].lower()
    r = await client.post("/status", data={"number": number, "code": spaced, "lang": "uz-Cyrl"})
    assert r.status_code == 200 and "Мурожаат №" in r.text and "рўйхатга олинган" in r.text


async def test_R_8_1_a_wrong_code_and_an_unknown_number_get_one_neutral_message(client, keys):
    made = await _register(client, keys[Role.REGISTRAR])
    wrong = await client.post(
        "/status", data={"number": str(made["number"]), "code": "AAAAAAAAAAAA", "lang": "en"}
    )
    unknown = await client.post(
        "/status", data={"number": "9999999/26", "code": "AAAAAAAAAAAA", "lang": "en"}
    )
    assert wrong.status_code == unknown.status_code == 404
    message = "No appeal was found with this number and code."
    assert message in wrong.text and message in unknown.text
    # Apart from the number typed back into the form, the two pages are the same.
    assert wrong.text.replace(str(made["number"]), "N") == unknown.text.replace("9999999/26", "N")
    assert "AAAAAAAAAAAA" not in wrong.text  # the code is never echoed
    malformed = await client.post("/status", data={"number": "abc", "code": "X", "lang": "en"})
    assert malformed.status_code == 422 and "for example 123/26" in malformed.text


async def test_R_8_1_json_lookup_adds_labels_in_the_requested_language(client, keys):
    made = await _register(client, keys[Role.REGISTRAR])
    url = f"/api/v1/public/appeals/{made['year']}/{made['seq']}"
    r = await client.get(url, params={"code": made["tracking_code"], "lang": "ru"})
    assert r.status_code == 200, r.text
    got = r.json()
    assert got["status"] == "registered" and got["status_label"] == "зарегистрировано"
    assert got["language"] == "ru" and r.headers["Content-Language"] == "ru"
    assert {d["rule"]: d["rule_label"] for d in got["deadlines"]}["answer"] == "Ответ на обращение"
    r = await client.get(
        url, params={"code": made["tracking_code"]}, headers={"Accept-Language": "en"}
    )
    assert r.json()["status_label"] == "registered" and r.json()["language"] == "en"


async def test_R_8_1_strangers_wrong_codes_never_lock_out_the_holder_of_the_right_code(
    settings, keys
):
    """50 wrong codes for one number from 50 other addresses: the holder still gets 200, on the
    JSON lookup and on the page (fails with a limit per appeal number: today's code had one)."""
    clock = FrozenClock(at_tashkent(2026, 4, 6, 10, 0))
    async with app_peers(settings, clock, public_lookups_per_address_per_minute=5) as peer:
        made = await _register(peer(HOLDER), keys[Role.REGISTRAR])
        url = f"/api/v1/public/appeals/{made['year']}/{made['seq']}"
        for n in range(50):
            stranger = peer(f"203.0.113.{n + 1}")
            assert (await stranger.get(url, params={"code": "WRONGCODE"})).status_code == 404
        r = await peer(HOLDER).get(url, params={"code": made["tracking_code"]})
        assert r.status_code == 200, r.text
        r = await peer(HOLDER).post(
            "/status", data={"number": made["number"], "code": made["tracking_code"]}
        )
        assert r.status_code == 200


async def test_R_8_1_a_guesser_is_limited_per_address_on_page_and_json_alike(settings):
    clock = FrozenClock(at_tashkent(2026, 4, 7, 10, 0))
    async with app_peers(settings, clock, public_lookups_per_address_per_minute=3) as peer:
        guesser = peer("203.0.113.50")
        for _ in range(2):
            r = await guesser.get("/api/v1/public/appeals/2026/1", params={"code": "X"})
            assert r.status_code == 404
        r = await guesser.post("/status", data={"number": "1/26", "code": "X", "lang": "ru"})
        assert r.status_code == 404
        r = await guesser.post("/status", data={"number": "1/26", "code": "X", "lang": "ru"})
        assert r.status_code == 429 and "Слишком много попыток" in r.text
        assert 1 <= int(r.headers["Retry-After"]) <= 60
        assert '<html lang="ru">' in r.text
        # Someone else, from another address, is not affected.
        r = await peer("203.0.113.51").get("/api/v1/public/appeals/2026/1", params={"code": "X"})
        assert r.status_code == 404
