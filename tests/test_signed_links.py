"""Signed links (issue 14): an authorised call mints a short-lived link that opens a letter or a
document (as the card's own link does the card) in a browser without an Authorization header;
the page is what the link's minter may see, a forged or foreign link is refused (R-6.4, R-12.1,
R-8.2)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest_asyncio

from appeals_api.auth.roles import Role
from tests.helpers import at_tashkent, auth
from tests.helpers.documents import pdf, upload
from tests.helpers.lifecycle import LEAD, Staff, Walk, make_staff, start


@pytest_asyncio.fixture
async def staff(client, keys, make_key) -> Staff:
    return await make_staff(client, keys, make_key)


async def _link(w: Walk, path: str, who: Role | str = Role.REGISTRAR, expect: int = 200) -> str:
    r = await w.client.post("/api/v1/links", json={"path": path}, headers=auth(w.staff.key(who)))
    assert r.status_code == expect, r.text
    if expect != 200:
        return ""
    parts = urlsplit(r.json()["url"])
    assert parts.path == path
    return f"{parts.path}?{parts.query}"


async def _drafted(client, staff, clock) -> tuple[Walk, int]:
    clock.set(at_tashkent(2026, 3, 2))
    w = await start(client, staff, clock)
    await w.route(LEAD)
    await w.act("lead", "respond", {"outcome": "satisfied", "text": "Sprinklers are installed."})
    r = await client.get(f"/api/v1/appeals/{w.id}/letters", headers=auth(staff.key(Role.MANAGER)))
    return w, r.json()["items"][0]["id"]


async def test_R_6_4_a_signed_link_opens_a_letter_without_a_header(client, staff, clock):
    w, letter_id = await _drafted(client, staff, clock)
    url = await _link(w, f"/api/v1/letters/{letter_id}")
    page = await client.get(url)  # no Authorization header
    assert page.status_code == 200, page.text
    assert page.headers["content-type"].startswith("text/html")
    assert "Sprinklers are installed." in page.text
    # Bound to its path: the same signature on another letter's path is refused.
    other = url.replace(f"/letters/{letter_id}?", f"/letters/{letter_id + 1}?")
    assert (await client.get(other)).status_code == 403
    tampered = url[:-3] + ("AAA" if not url.endswith("AAA") else "BBB")
    assert (await client.get(tampered)).status_code == 403


async def test_R_8_2_a_link_shows_only_what_its_minter_may_see(client, staff, clock):
    w, letter_id = await _drafted(client, staff, clock)
    # An executor of a unit the appeal is not routed to may mint a link, and it opens nothing.
    url = await _link(w, f"/api/v1/letters/{letter_id}", who="second")
    page = await client.get(url)
    assert page.status_code == 404
    # Only a card, a letter or a document's content can be linked.
    await _link(w, f"/api/v1/appeals/{w.id}/history", expect=422)
    await _link(w, "/api/v1/audit/heads", expect=422)


async def test_R_12_1_a_signed_link_downloads_a_document_without_a_header(client, staff, clock):
    clock.set(at_tashkent(2026, 3, 2))
    w = await start(client, staff, clock)
    data = pdf(300_000)
    r = await upload(client, staff.key(Role.REGISTRAR), w.id, data)
    assert r.status_code == 201, r.text
    url = await _link(w, f"/api/v1/documents/{r.json()['id']}/content")
    got = await client.get(url)
    assert got.status_code == 200 and got.content == data
    # Expired: a link made long ago no longer opens.
    clock.set(at_tashkent(2026, 3, 3))
    assert (await client.get(url)).status_code == 401
