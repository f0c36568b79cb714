"""Duplicate and repeat suggestions (issue 15; R-2.3, §29, §50): the same applicant — by phone,
e-mail, or name across Latin and Cyrillic and spellings — on the same matter is suggested at
intake (`similar` in the 201) and on demand (`GET /api/v1/appeals/{id}/similar`); another
matter, a namesake with another phone, or an appeal outside the window is not; and only a
reader who sees every applicant gets them (R-8.2)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest_asyncio

from appeals_api.auth.roles import Role
from tests.helpers import auth
from tests.helpers.apps import app_client
from tests.helpers.common import appeal_body
from tests.helpers.lifecycle import LEAD, Staff, Walk, make_staff, start
from tests.helpers.search import index_new_appeals

HOT_WATER = "Uyimizda issiq suv 12 kundan beri yo'q, quvurlarni ta'mirlashni so'raymiz."
HOT_WATER_CYRILLIC = "Уйимизда иссиқ сув 12 кундан бери йўқ, қувурларни таъмирлашни сўраймиз."
HOT_WATER_AGAIN = (
    "Men avval ham yozgan edim: uyimizda issiq suv hali ham yo'q, quvurlar ta'mirlanmadi, "
    "javobingizga roziman emas."
)
WAGES = "Ish haqimni qayta hisoblab berishingizni so'rayman, mart oyi uchun kam to'langan."


@pytest_asyncio.fixture
async def staff(client, keys, make_key) -> Staff:
    return await make_staff(client, keys, make_key)


def _person(last: str, first: str = "Alisher", **extra: Any) -> dict[str, Any]:
    return {
        "type": "individual",
        "last_name": last,
        "first_name": first,
        "address": "Olmaliq, Navoiy ko'chasi 7",
        **extra,
    }


async def _earlier(client, staff, clock, settings, **body: Any) -> Walk:
    walk = await start(client, staff, clock, **body)
    await index_new_appeals(settings)  # what the worker does a tick after intake
    clock.set(clock() + timedelta(hours=2))
    return walk


async def _join(duplicate: Walk, original: Walk) -> Any:
    ref = {"year": original.appeal["year"], "number": original.appeal["seq"]}
    return await duplicate.client.post(
        f"/api/v1/appeals/{duplicate.id}/actions/join",
        json=ref,
        headers=auth(duplicate.staff.keys[Role.REGISTRAR]),
    )


def _found(similar: list[dict[str, Any]] | None) -> dict[str, dict[str, Any]]:
    assert similar is not None
    return {s["id"]: s for s in similar}


async def test_R_2_3_the_same_applicant_in_the_other_script_is_suggested_at_intake(
    client, staff, clock, settings
):
    """Latin "Toshmatov" with his phone as +998 90 123 45 67; then Cyrillic "Тошматов" with
    "90-123-45-67" and the text in Cyrillic: a duplicate of the open earlier appeal (§29)."""
    first = await _earlier(
        client, staff, clock, settings, text=HOT_WATER,
        applicants=[_person("Toshmatov", phone="+998 90 123 45 67")],
    )  # fmt: skip
    later = await start(
        client, staff, clock, text=HOT_WATER_CYRILLIC, language="uz-Cyrl",
        applicants=[_person("Тошматов", "Алишер", phone="90-123-45-67")],
    )  # fmt: skip
    hit = _found(later.appeal["similar"])[first.id]
    assert hit["relation"] == "duplicate" and hit["direction"] == "earlier"
    assert {"phone", "name", "text"} <= set(hit["reasons"])
    assert hit["number"] == first.appeal["number"]


async def test_R_2_3_a_misspelt_name_at_the_same_address_without_contacts_is_suggested(
    client, staff, clock, settings
):
    first = await _earlier(
        client, staff, clock, settings, text=HOT_WATER, applicants=[_person("Toshmatov", "Botir")]
    )
    later = await start(
        client, staff, clock, text=HOT_WATER, applicants=[_person("Tashmatov", "Batir")]
    )
    assert set(_found(later.appeal["similar"])[first.id]["reasons"]) == {"name", "address", "text"}


async def test_R_2_3_another_matter_or_a_namesake_with_another_phone_is_not_suggested(
    client, staff, clock, settings
):
    wages = await _earlier(
        client, staff, clock, settings, text=WAGES,
        applicants=[_person("Rahimov", "Sardor", phone="+998 93 555 11 22")],
    )  # fmt: skip
    namesake = await _earlier(
        client, staff, clock, settings, text=HOT_WATER,
        applicants=[_person("Rahimov", "Sardor", phone="+998 97 777 00 00", address="Angren")],
    )  # fmt: skip
    later = await start(
        client, staff, clock, text=HOT_WATER,
        applicants=[_person("Rahimov", "Sardor", phone="+998 93 555 11 22", address="Angren 2")],
    )  # fmt: skip
    found = _found(later.appeal["similar"])
    assert wages.id not in found  # the same man, another matter
    assert namesake.id not in found  # the same name and matter, another man's phone


async def test_R_2_3_after_the_answer_the_same_matter_is_a_repeat_and_a_copy_a_duplicate(
    client, staff, clock, settings
):
    """§50: a new appeal on a matter already answered is a repeat; R-5.2: a copy of it sent
    again after the answer is still a duplicate (answered with a notice)."""
    person = [_person("Yusupov", "Jasur", email="jasur.yusupov@example.uz")]
    first = await _earlier(client, staff, clock, settings, text=HOT_WATER, applicants=person)
    await first.route(LEAD)
    await first.answer()
    clock.set(clock() + timedelta(days=3))
    again = await start(
        client, staff, clock, text=HOT_WATER_AGAIN,
        applicants=[_person("Юсупов", "Жасур", email="Jasur.Yusupov@example.uz")],
    )  # fmt: skip
    hit = _found(again.appeal["similar"])[first.id]
    assert hit["relation"] == "repeat" and "email" in hit["reasons"]
    copy = await start(client, staff, clock, text=HOT_WATER, applicants=person)
    assert _found(copy.appeal["similar"])[first.id]["relation"] == "duplicate"
    # On demand, from the earlier one: the later ones are judged by what it was when they came.
    await index_new_appeals(settings)
    r = await client.get(
        f"/api/v1/appeals/{first.id}/similar", headers=auth(staff.keys[Role.REGISTRAR])
    )
    later = _found(r.json()["items"])
    assert later[again.id]["relation"] == "repeat" and later[again.id]["direction"] == "later"
    assert later[copy.id]["relation"] == "duplicate"


async def test_R_2_3_an_appeal_outside_the_window_is_not_suggested(client, staff, clock, settings):
    person = [_person("Ergashev", "Nodir", phone="+998 91 000 22 33")]
    old = clock() - timedelta(days=settings.similar_window_days + 1)
    first = await _earlier(
        client, staff, clock, settings, text=HOT_WATER, applicants=person,
        received_at=old.isoformat(), form="written", channel="post",
    )  # fmt: skip
    inside = await _earlier(client, staff, clock, settings, text=HOT_WATER, applicants=person)
    later = await start(client, staff, clock, text=HOT_WATER, applicants=person)
    found = _found(later.appeal["similar"])
    assert inside.id in found and first.id not in found


async def test_R_8_2_suggestions_only_for_those_who_see_every_applicant(
    client, staff, clock, settings
):
    """To an intake key or a supervisor, which appeal a phone matches would say whose it is."""
    person = [_person("Saidov", "Otabek", phone="+998 94 111 22 33")]
    first = await _earlier(client, staff, clock, settings, text=HOT_WATER, applicants=person)
    r = await client.post(
        "/api/v1/appeals",
        json=appeal_body(applicants=person, text=HOT_WATER),
        headers=auth(staff.keys[Role.INTAKE]),
    )
    assert r.status_code == 201 and r.json()["similar"] is None
    later = r.json()["id"]
    await index_new_appeals(settings)
    for role in (Role.SUPERVISOR, Role.EXECUTOR, Role.INTAKE):
        r = await client.get(f"/api/v1/appeals/{first.id}/similar", headers=auth(staff.keys[role]))
        assert r.status_code == 403, (role, r.text)
    # On demand the registrar sees both sides: the later one is a duplicate of the first.
    r = await client.get(
        f"/api/v1/appeals/{first.id}/similar", headers=auth(staff.keys[Role.REGISTRAR])
    )
    assert r.status_code == 200, r.text
    hit = _found(r.json()["items"])[later]
    assert hit["direction"] == "later" and hit["relation"] == "duplicate"


async def test_R_2_3_the_registrar_confirms_a_suggested_repeat_with_a_related_correction(
    client, staff, clock, settings
):
    """The suggestion is only a suggestion: the registrar records it (R-2.3, R-12.2), with the
    earlier appeal's number and date, never the appeal itself."""
    person = [_person("Nazarov", "Bobur", phone="+998 95 404 40 40")]
    first = await _earlier(client, staff, clock, settings, text=HOT_WATER, applicants=person)
    later = await start(client, staff, clock, text=HOT_WATER_AGAIN, applicants=person)
    assert first.id in _found(later.appeal["similar"])
    year, number = first.appeal["year"], first.appeal["seq"]
    headers = {**auth(staff.keys[Role.REGISTRAR]), "If-Match": await later.etag()}
    body = {"related": {"relation": "repeat", "year": year, "number": number}, "reason": "§50"}
    r = await client.patch(f"/api/v1/appeals/{later.id}", json=body, headers=headers)
    assert r.status_code == 200, r.text
    related = r.json()["related"]
    assert related["relation"] == "repeat" and related["appeal_id"] == first.id
    assert related["display"] == first.appeal["number"]
    headers["If-Match"] = await later.etag()
    itself = {"relation": "duplicate", "year": later.appeal["year"], "number": later.appeal["seq"]}
    r = await client.patch(
        f"/api/v1/appeals/{later.id}", json={"related": itself, "reason": "x"}, headers=headers
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "related", r.text


async def test_R_2_3_join_refuses_another_applicants_appeal_as_the_original(
    client, staff, clock, settings
):
    """§29: a duplicate is a copy of the same applicant's appeal — a hot-water complaint is not
    joined to a stranger's truck-noise complaint; the same man in Cyrillic is joined."""
    noise = await start(
        client, staff, clock, text="Yuk mashinalari kechasi shovqin qilmoqda.",
        applicants=[_person("Sobirov", "Akmal", phone="+998 99 100 20 30")],
    )  # fmt: skip
    water = await start(
        client, staff, clock, text=HOT_WATER,
        applicants=[_person("Umarov", "Farhod", phone="+998 98 300 20 10")],
    )  # fmt: skip
    r = await _join(water, noise)
    assert r.status_code == 422 and "§29" in r.json()["detail"], r.text
    copy = await start(
        client, staff, clock, text=HOT_WATER_CYRILLIC,
        applicants=[_person("Умаров", "Фарход", address="Olmaliq")],
    )  # fmt: skip
    r = await _join(copy, water)
    assert r.status_code == 200, r.text


async def test_R_1_5_suggestions_not_found_in_time_leave_the_201_and_the_appeal(
    staff, clock, settings
):
    """The lookup runs after the commit: when it does not answer in time, the appeal is
    registered all the same and its 201 says `similar: null` (never a 500 after a commit)."""
    async with app_client(settings, clock, similar_timeout_seconds=0.000001) as client:
        r = await client.post(
            "/api/v1/appeals", json=appeal_body(), headers=auth(staff.keys[Role.REGISTRAR])
        )
        assert r.status_code == 201 and r.json()["similar"] is None, r.text
        got = await client.get(
            f"/api/v1/appeals/{r.json()['id']}", headers=auth(staff.keys[Role.REGISTRAR])
        )
        assert got.status_code == 200
