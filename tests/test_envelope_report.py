"""§14 (R-1.6, R-6.4): a posted appeal whose envelope check fails gets its report — a letter in
the appeal's language, in two copies, one kept, one sent to the applicant, who is notified —
at intake or when the check is corrected later. Over HTTP, as the frontends use them."""

from __future__ import annotations

from typing import Any

import pytest
import pytest_asyncio

from appeals_api.auth.roles import Role
from tests.helpers import at_tashkent, auth
from tests.helpers.lifecycle import LEAD, Staff, Walk, make_staff, start

POSTED = {"form": "written", "channel": "post"}


@pytest_asyncio.fixture
async def staff(client, keys, make_key) -> Staff:
    return await make_staff(client, keys, make_key)


async def _posted(client, staff, clock, check: str | None, **overrides: Any) -> Walk:
    clock.set(at_tashkent(2026, 3, 2))
    paper = {"sheets": 2, "attachments": 3} | ({"envelope_check": check} if check else {})
    return await start(client, staff, clock, **POSTED, paper=paper, **overrides)


async def _letters(w: Walk) -> list[dict[str, Any]]:
    r = await w.client.get(
        f"/api/v1/appeals/{w.id}/letters", headers=auth(w.staff.key(Role.REGISTRAR))
    )
    assert r.status_code == 200, r.text
    return list(r.json()["items"])


async def _notices(w: Walk) -> list[dict[str, Any]]:
    """The `appeal.applicant_notice` events of this appeal in the feed, in order."""
    found, after = [], 0
    while True:
        r = await w.client.get(
            "/api/v1/events",
            params={"after": after, "limit": 1000},
            headers=auth(w.staff.key(Role.SUPERVISOR)),
        )
        assert r.status_code == 200, r.text
        items = r.json()["items"]
        if not items:
            return found
        found += [
            e["data"]
            for e in items
            if e["appeal_id"] == w.id and e["type"] == "appeal.applicant_notice"
        ]
        after = items[-1]["id"]


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("uz", "ikki nusxada"),
        ("uz-Cyrl", "икки нусхада"),
        ("ru", "в двух экземплярах"),
        ("en", "in two copies"),
    ],
)
async def test_R_1_6_a_damaged_envelope_at_intake_draws_up_the_report_in_its_language(
    client, staff, clock, language, words
):
    w = await _posted(client, staff, clock, "damaged", language=language)
    assert w.appeal["status"] == "registered"  # registered all the same
    (report,) = await _letters(w)
    assert report["kind"] == "envelope_report" and report["state"] == "signed"
    assert report["language"] == language and words in report["text"]
    assert report["addressee"] == "Karimov Aziz Bahodirovich" and report["signed_by"]
    (registered,) = await w.history()
    assert registered["changes"]["letters.envelope_report"][1]["state"] == "signed"
    assert await _notices(w) == []  # the applicant is told when the copy goes out
    r = await w.client.get(
        f"/api/v1/letters/{report['id']}",
        params={"format": "html"},
        headers=auth(staff.keys[Role.REGISTRAR]),
    )
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert words in r.text and "02.03.2026" in r.text


async def test_R_1_6_a_passed_or_unrecorded_check_draws_up_no_report(client, staff, clock):
    for check in ("ok", None):
        w = await _posted(client, staff, clock, check)
        assert await _letters(w) == []


async def test_R_1_6_a_check_corrected_to_missing_attachments_draws_up_the_report(
    client, staff, clock
):
    w = await _posted(client, staff, clock, "ok", language="ru")
    w.at(3, 3)
    paper = {"sheets": 2, "attachments": 3, "envelope_check": "attachments_missing"}
    r = await client.patch(
        f"/api/v1/appeals/{w.id}",
        json={"paper": paper, "reason": "The attachments were not in the envelope."},
        headers=auth(staff.keys[Role.REGISTRAR]),
    )
    assert r.status_code == 200, r.text
    (report,) = await _letters(w)
    assert report["kind"] == "envelope_report" and report["signed_on"] == "2026-03-03"
    assert "отсутствуют приложения" in report["text"] and "в двух экземплярах" in report["text"]
    entry = (await w.history())[-1]
    assert entry["action"] == "correct"
    assert entry["changes"]["letters.envelope_report"][1]["finding"] == "attachments_missing"
    # The same finding corrected again (another field) draws up no second report.
    r = await client.patch(
        f"/api/v1/appeals/{w.id}",
        json={"paper": {**paper, "sheets": 3}, "reason": "Three sheets."},
        headers=auth(staff.keys[Role.REGISTRAR]),
    )
    assert r.status_code == 200, r.text
    assert len(await _letters(w)) == 1


async def test_R_1_6_a_damaged_posted_letter_from_intake_to_the_report_sent_and_the_notice(
    client, staff, clock
):
    """End to end: intake with a damaged envelope → the report drawn up → the appeal goes on
    → the registrar sends the applicant's copy → the applicant's notice in the feed."""
    w = await _posted(client, staff, clock, "damaged")
    assert "send_envelope_report" in await w.allowed(Role.REGISTRAR)
    assert "send_envelope_report" not in await w.allowed(Role.MANAGER)
    await w.act(Role.MANAGER, "send_envelope_report", {"letter_number": "02-14/5"}, expect=403)
    await w.route(LEAD)  # the report does not hold the appeal up
    w.at(3, 3)
    await w.act(Role.REGISTRAR, "send_envelope_report", {"letter_number": "02-14/5"})
    assert w.appeal["status"] == "in_consideration"
    (report,) = await _letters(w)
    assert report["state"] == "sent" and report["letter_number"] == "02-14/5"
    assert report["sent_on"] == "2026-03-03"
    assert await _notices(w) == [{"reason": "envelope_report", "sent_on": "2026-03-03"}]
    entry = (await w.history())[-1]
    assert entry["action"] == "send_envelope_report"
    assert entry["changes"]["letter_number"] == [None, "02-14/5"]
    refused = await w.act(
        Role.REGISTRAR, "send_envelope_report", {"letter_number": "02-14/6"}, expect=409
    )
    assert "§14" in refused["detail"]
    card = await w.client.get(
        f"/api/v1/appeals/{w.id}/card", headers=auth(staff.keys[Role.SUPERVISOR])
    )
    kinds = [x["kind"] for x in card.json()["reverse"]["letters"]]
    assert kinds == ["envelope_report"]
    assert card.json()["reverse"]["response_letter"] is None  # not a letter that closes it
