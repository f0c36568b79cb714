"""The list's filters people asked for (due dates, executor, an applicant's phone or e-mail),
its orders (`sort`) with a cursor per order, the optional total, and the privacy of filters by
personal data (API.md, R-8.2)."""

from __future__ import annotations

from typing import Any

import httpx

from appeals_api.auth.roles import Role
from appeals_api.clock import FrozenClock
from tests.helpers import KeyMaker, appeal_body, at_tashkent, auth
from tests.helpers.lifecycle import LEAD, make_staff, start

LIST = "/api/v1/appeals"


def _person(phone: str, email: str | None = None, last_name: str = "Toshmatov") -> dict[str, Any]:
    return {
        "type": "individual",
        "last_name": last_name,
        "first_name": "Anvar",
        "address": "Almalyk, Amir Temur street 1",
        "phone": phone,
        **({"email": email} if email else {}),
    }


async def _post(client: httpx.AsyncClient, keys: dict[Role, str], **overrides: Any) -> Any:
    r = await client.post(LIST, json=appeal_body(**overrides), headers=auth(keys[Role.REGISTRAR]))
    assert r.status_code == 201, r.text
    return r.json()


async def _seqs(client: httpx.AsyncClient, key: str, **params: Any) -> list[int]:
    r = await client.get(LIST, params=params, headers=auth(key))
    assert r.status_code == 200, r.text
    return [a["seq"] for a in r.json()["items"]]


async def _walk(client: httpx.AsyncClient, key: str, **params: Any) -> list[int]:
    """Every page of the list, one appeal a page, following the cursors."""
    seen: list[int] = []
    cursor = None
    while True:
        extra = {"cursor": cursor} if cursor else {}
        r = await client.get(LIST, params={**params, "limit": 1, **extra}, headers=auth(key))
        assert r.status_code == 200, r.text
        seen += [a["seq"] for a in r.json()["items"]]
        cursor = r.json()["next_cursor"]
        if cursor is None:
            return seen


async def test_API_list_filters_by_due_date_range(client, keys, clock: FrozenClock):
    phone = "+998 90 111 11 01"
    early = await _post(client, keys, applicants=[_person(phone)])
    clock.set(at_tashkent(2026, 3, 16))
    late = await _post(client, keys, applicants=[_person(phone)])
    assert early["due_date"] < late["due_date"]
    key = keys[Role.REGISTRAR]

    async def due(**params: Any) -> set[int]:
        return set(await _seqs(client, key, phone=phone, **params))

    assert await due() == {early["seq"], late["seq"]}
    assert await due(due_to=early["due_date"]) == {early["seq"]}
    assert await due(due_from=late["due_date"]) == {late["seq"]}
    assert await due(due_from=early["due_date"], due_to=late["due_date"]) == {
        early["seq"],
        late["seq"],
    }
    r = await client.get(
        LIST, params={"due_from": late["due_date"], "due_to": early["due_date"]}, headers=auth(key)
    )
    assert r.status_code == 422 and "due_from is after due_to" in r.json()["detail"]


async def test_API_list_filters_by_applicant_phone_digits_and_email(client, keys):
    a = await _post(client, keys, applicants=[_person("+998 (91) 234-56-78", "Anvar@Mail.UZ")])
    b = await _post(client, keys, applicants=[_person("+998 91 234 56 79", "other@mail.uz")])
    key = keys[Role.REGISTRAR]
    # The same number however it is written: spaces, dashes, with or without +998.
    for written in ("912345678", "+998912345678", "998 91 234-56-78", "(91) 234 56 78"):
        assert await _seqs(client, key, phone=written) == [a["seq"]], written
    assert await _seqs(client, key, phone="91234567") == []  # exact, not a prefix
    assert await _seqs(client, key, email=" anvar@mail.uz ") == [a["seq"]]
    assert await _seqs(client, key, email="other@mail.uz") == [b["seq"]]
    r = await client.get(LIST, params={"phone": "12"}, headers=auth(key))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "phone"


async def test_API_list_filters_by_named_executor_of_the_resolution_in_force(
    client, keys, clock: FrozenClock, make_key: KeyMaker
):
    staff = await make_staff(client, keys, make_key)
    phone = "+998 90 111 11 03"
    named = await start(client, staff, clock, applicants=[_person(phone)])
    other = await start(client, staff, clock, applicants=[_person(phone)])
    executors = [{"unit": LEAD, "name": "Rustamov Jasur"}]
    resolve = {"units": [LEAD], "instruction": "Answer.", "executors": executors}
    await named.act(Role.MANAGER, "resolve", resolve)
    await other.act(Role.MANAGER, "resolve", {"units": [LEAD], "instruction": "Answer."})
    key = keys[Role.SUPERVISOR]
    assert await _seqs(client, key, executor="rustamov jasur ") == [named.appeal["seq"]]
    assert await _seqs(client, key, executor="Rustamov") == []  # the name, exactly
    # The executor key of the unit sees it too, by the same filter.
    assert await _seqs(client, staff.lead, executor="Rustamov Jasur") == [named.appeal["seq"]]


async def test_R_8_2_a_personal_data_filter_never_tells_who_cannot_see_applicants_that_a_confidential_appeal_matched(  # noqa: E501
    client, keys, clock: FrozenClock, make_key: KeyMaker
):
    staff = await make_staff(client, keys, make_key)
    phone, email = "+998 90 111 11 04", "secret@mail.uz"
    applicant = [_person(phone, email)]
    secret = await start(client, staff, clock, applicants=applicant, confidential=True)
    public = await start(client, staff, clock, applicants=applicant)
    for w in (secret, public):
        await w.act(Role.MANAGER, "resolve", {"units": [LEAD], "instruction": "Answer."})
    both = {secret.appeal["seq"], public.appeal["seq"]}
    for role in (Role.REGISTRAR, Role.MANAGER):
        for flt in ({"phone": phone}, {"email": email}):
            assert set(await _seqs(client, keys[role], **flt)) == both, (role, flt)
    for key in (keys[Role.SUPERVISOR], staff.lead):
        # They see the confidential appeal in the list (masked) ...
        assert secret.appeal["seq"] in await _seqs(client, key, unit=LEAD, limit=1000)
        # ... but a filter by the applicant's phone or e-mail never shows that it matched,
        # not in the items and not in the total.
        for flt in ({"phone": phone}, {"email": email}):
            r = await client.get(LIST, params={**flt, "count": "true"}, headers=auth(key))
            assert [a["seq"] for a in r.json()["items"]] == [public.appeal["seq"]]
            assert r.json()["total"] == 1


async def test_API_list_sorts_by_receipt_due_date_and_number_with_a_cursor_per_order(
    client, keys, clock: FrozenClock
):
    phone = "+998 90 111 11 05"
    clock.set(at_tashkent(2026, 3, 10))
    # Received out of number order (paper appeals registered later than they arrived), and
    # due on dates out of both orders (a proposal has a longer deadline than a complaint).
    made = []
    for day, kind in ((5, "complaint"), (2, "proposal"), (4, "complaint"), (3, "proposal")):
        received = at_tashkent(2026, 3, day, 9).isoformat()
        made.append(
            await _post(
                client,
                keys,
                applicants=[_person(phone)],
                kind=kind,
                form="written",
                channel="post",
                received_at=received,
            )
        )
    key = keys[Role.REGISTRAR]
    by_number = sorted(made, key=lambda a: (a["year"], a["seq"]))
    orders: dict[str, list[Any]] = {
        "number": by_number,
        "received": sorted(made, key=lambda a: (a["received_at"], a["year"], a["seq"])),
        "due": sorted(made, key=lambda a: (a["due_date"], a["year"], a["seq"])),
    }
    assert orders["received"] != orders["number"]
    for name, ascending in orders.items():
        expected = [a["seq"] for a in ascending]
        assert await _walk(client, key, phone=phone, sort=name) == expected, name
        assert await _walk(client, key, phone=phone, sort=f"-{name}") == expected[::-1], name
    # Without `sort`: newest number first, as always.
    assert await _walk(client, key, phone=phone) == [a["seq"] for a in by_number][::-1]


async def test_API_a_cursor_continues_only_the_order_it_came_from(client, keys):
    phone = "+998 90 111 11 06"
    for _ in range(2):
        await _post(client, keys, applicants=[_person(phone)])
    h = auth(keys[Role.REGISTRAR])
    first = await client.get(LIST, params={"phone": phone, "limit": 1, "sort": "due"}, headers=h)
    cursor = first.json()["next_cursor"]
    assert cursor
    for other in ("-due", "received", "number", None):
        params = {
            "phone": phone,
            "limit": 1,
            "cursor": cursor,
            **({"sort": other} if other else {}),
        }
        r = await client.get(LIST, params=params, headers=h)
        assert r.status_code == 400, (other, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
        assert "sort=due" in r.json()["detail"]
    r = await client.get(LIST, params={"limit": 1, "sort": "by-mood"}, headers=h)
    assert r.status_code == 422


async def test_API_total_count_only_when_asked(client, keys):
    phone = "+998 90 111 11 07"
    for _ in range(3):
        await _post(client, keys, applicants=[_person(phone)])
    h = auth(keys[Role.REGISTRAR])
    plain = await client.get(LIST, params={"phone": phone, "limit": 2}, headers=h)
    assert plain.json()["total"] is None
    counted = await client.get(
        LIST, params={"phone": phone, "limit": 2, "count": "true"}, headers=h
    )
    assert counted.json()["total"] == 3 and len(counted.json()["items"]) == 2
    cursor = counted.json()["next_cursor"]
    rest = await client.get(
        LIST, params={"phone": phone, "limit": 2, "count": "true", "cursor": cursor}, headers=h
    )
    assert rest.json()["total"] == 3 and len(rest.json()["items"]) == 1


async def test_API_the_list_refuses_parameters_it_used_to_ignore(client, keys):
    """API.md: a parameter the route does not know is refused, never silently ignored (it
    used to answer every appeal to `?search=`, so a clerk believed nothing was filtered)."""
    h = auth(keys[Role.REGISTRAR])
    for name in ("search", "applicant", "order", "stauts"):
        r = await client.get(LIST, params={name: "Toshmatov"}, headers=h)
        assert r.status_code == 422, (name, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
        assert [e["field"] for e in r.json()["errors"]] == [name]
        assert name in r.json()["detail"]
