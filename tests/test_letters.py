"""Letters readable and printable (R-6.4): the text after `respond` for the manager who signs and
the registrar who sends, every letter of a walk, a printable page and a DOCX in each language."""

from __future__ import annotations

import io
import os
from pathlib import Path

import docx
import pytest
import pytest_asyncio

from appeals_api.auth.roles import Role
from tests.helpers import at_tashkent, auth
from tests.helpers.lifecycle import LEAD, Staff, Walk, make_staff, start
from tests.helpers.pages import assert_sealed

SCRIPT = "<script>alert(1)</script>"
LETTERHEAD = {
    "uz": "«Olmaliq KMK» AJ",
    "uz-Cyrl": "«Олмалиқ КМК» АЖ",
    "ru": "АО «Алмалыкский ГМК»",
    "en": "JSC &quot;Almalyk MMC&quot;",
}
# Where a run may leave the rendered pages, to look at them in a browser.
HTML_DIR = os.environ.get("APPEALS_LETTER_HTML_DIR")


@pytest_asyncio.fixture
async def staff(client, keys, make_key) -> Staff:
    return await make_staff(client, keys, make_key)


async def _routed(client, staff, clock, **overrides) -> Walk:
    clock.set(at_tashkent(2026, 3, 2))  # a Monday
    w = await start(client, staff, clock, **overrides)
    await w.route(LEAD)
    return w


async def _letters(w: Walk, who: Role | str, *, expect: int = 200) -> list[dict]:
    r = await w.client.get(f"/api/v1/appeals/{w.id}/letters", headers=auth(w.staff.key(who)))
    assert r.status_code == expect, r.text
    return r.json()["items"] if expect == 200 else []


async def _letter(w: Walk, letter_id: int, who: Role | str = Role.REGISTRAR, **params):
    headers = auth(w.staff.key(who))
    if "accept" in params:
        headers["Accept"] = params.pop("accept")
    return await w.client.get(f"/api/v1/letters/{letter_id}", headers=headers, params=params)


async def _sent_response(client, staff, clock, *, language: str, text: str) -> tuple[Walk, int]:
    w = await _routed(client, staff, clock, confidential=False)
    w.at(3, 10)
    await w.act(
        "lead",
        "respond",
        {
            "outcome": "rejected",
            "text": text,
            "grounds": "§39: no violation found.",
            "language": language,
        },
    )
    await w.act(Role.MANAGER, "sign")
    await w.act(Role.REGISTRAR, "send", {"letter_number": "07-15/321"})
    (letter,) = await _letters(w, Role.REGISTRAR)
    return w, letter["id"]


async def test_R_6_4_the_drafted_response_is_readable_by_the_signer_and_the_sender(
    client, staff, clock
):
    w = await _routed(client, staff, clock)
    await w.act("lead", "respond", {"outcome": "satisfied", "text": "Sprinklers are installed."})
    for who in (Role.MANAGER, Role.REGISTRAR, "lead"):
        (item,) = await _letters(w, who)
        assert (item["kind"], item["state"], item["outcome"]) == ("response", "draft", "satisfied")
        assert item["text"] == "Sprinklers are installed."
        assert item["addressee"] == "Karimov Aziz Bahodirovich" and item["language"] == "uz"
        assert item["appeal_number"] == w.appeal["number"] and item["unit_code"] == LEAD
        r = await _letter(w, item["id"], who)
        assert r.status_code == 200, r.text
        assert r.json() == item
    # An executor of a unit the appeal is not routed to: neither the list nor the letter exist.
    await _letters(w, "second", expect=404)
    r = await _letter(w, item["id"], "second")
    assert r.status_code == 404 and r.json()["detail"] == "Bunday xat yoʻq."  # uz, the default
    assert (await _letter(w, item["id"] + 10_000)).status_code == 404


async def test_R_6_4_the_list_shows_every_letter_of_a_walk_and_the_history_each_step(
    client, staff, clock
):
    w = await _routed(client, staff, clock)
    w.at(3, 5)
    await w.act(
        "lead", "respond", {"outcome": "explained", "text": "Inspection in March.", "interim": True}
    )
    w.at(3, 10)
    await w.act("lead", "respond", {"outcome": "satisfied", "text": "First draft."})
    await w.act(Role.MANAGER, "return_for_revision", {"reason": "Name the measures."})
    await w.act("lead", "respond", {"outcome": "satisfied", "text": "Sprinklers installed."})
    w.at(3, 11)
    await w.act(Role.MANAGER, "sign")
    await w.act(Role.REGISTRAR, "send", {"letter_number": "07-15/55"})

    items = await _letters(w, Role.SUPERVISOR)
    assert [(x["kind"], x["state"], x["text"]) for x in items] == [
        ("interim", "sent", "Inspection in March."),
        ("response", "returned", "First draft."),
        ("response", "sent", "Sprinklers installed."),
    ]
    sent = items[-1]
    assert sent["signed_by"] == "test manager (manager)" and sent["signed_on"] == "2026-03-11"
    assert (sent["letter_number"], sent["sent_on"]) == ("07-15/55", "2026-03-11")
    assert sent["sent_by"] == "test registrar (registrar)"
    assert items[0]["sent_on"] == "2026-03-05"

    steps = ["respond", "respond", "return_for_revision", "respond", "sign", "send"]
    history = [h for h in await w.history() if h["action"] in steps]
    assert [h["action"] for h in history] == steps
    interim, drafted, returned, redrafted, signed, sent_entry = (h["changes"] for h in history)
    assert interim["interim_response"] == [None, "2026-03-05"]
    assert drafted["response"] == [None, {"outcome": "satisfied", "language": "uz"}]
    assert returned["response.returned"] == [None, "Name the measures."]
    assert redrafted["response"] == drafted["response"]
    assert signed["response.signed_by"] == [None, "test manager (manager)"]
    assert sent_entry["letter_number"] == [None, "07-15/55"]


async def test_R_6_4_a_confidential_addressee_is_withheld_from_the_executor(client, staff, clock):
    w = await _routed(client, staff, clock, confidential=True)
    await w.act("lead", "respond", {"outcome": "satisfied", "text": "Done."})
    (mine,) = await _letters(w, "lead")
    assert mine["addressee"] is None and mine["text"] == "Done."
    (theirs,) = await _letters(w, Role.MANAGER)
    assert theirs["addressee"] == "Karimov Aziz Bahodirovich"
    page = (await _letter(w, mine["id"], "lead", format="html")).text
    assert "Karimov" not in page
    r = await client.get(
        "/api/v1/access-log", params={"appeal_id": w.id}, headers=auth(staff.key(Role.ADMIN))
    )
    assert r.status_code == 200, r.text
    logged = [(x["via"], x["role"]) for x in r.json()["items"]]
    assert ("letters", "manager") in logged  # the manager saw the name
    assert all(role != "executor" for _, role in logged)  # the executor did not


@pytest.mark.parametrize("language", ["uz", "uz-Cyrl", "ru", "en"])
async def test_R_6_4_the_printable_letter_has_the_letterhead_number_date_and_escaped_text(
    client, staff, clock, language
):
    w, letter_id = await _sent_response(
        client, staff, clock, language=language, text=f"Line one {SCRIPT}\nLine two."
    )
    for params in ({"format": "html"}, {"accept": "text/html"}):
        r = await _letter(w, letter_id, **params)
        assert r.status_code == 200, r.text
        assert_sealed(r)
        assert "default-src 'none'" in r.headers["content-security-policy"]
        page = r.text
        assert page.startswith("<!DOCTYPE html>") and "@page { size: A4;" in page
        assert LETTERHEAD[language] in page
        assert "07-15/321" in page and "10.03.2026" in page  # sent and signed on 10 March
        assert "02.03.2026" in page  # the appeal it answers, received on 2 March
        assert w.appeal["number"] in page and "Karimov Aziz Bahodirovich" in page
        assert SCRIPT not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
        assert "<script" not in page.lower()
    if HTML_DIR:
        Path(HTML_DIR, f"letter-{language}.html").write_text(page, encoding="utf-8")


async def test_R_6_4_the_docx_opens_and_holds_the_text(client, staff, clock):
    w, letter_id = await _sent_response(client, staff, clock, language="ru", text=SCRIPT)
    r = await _letter(w, letter_id, format="docx")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    assert r.headers["content-disposition"] == f'attachment; filename="letter-{letter_id}.docx"'
    document = docx.Document(io.BytesIO(r.content))
    text = "\n".join(p.text for p in document.paragraphs)
    assert SCRIPT in text and "АО «Алмалыкский ГМК»" in text
    assert "07-15/321" in text and "10.03.2026" in text
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)


async def test_R_6_4_an_unknown_format_is_refused(client, staff, clock):
    w, letter_id = await _sent_response(client, staff, clock, language="en", text="Done.")
    r = await _letter(w, letter_id, format="pdf")
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
