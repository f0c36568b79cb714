"""Confidential applicants (R-8.2): identity only for the registrar and managers, masked for
everyone else — in reads, lists, action answers and the card — and every unmasked read logged."""

from __future__ import annotations

import pytest_asyncio

from appeals_api.auth.roles import Role
from tests.helpers import auth
from tests.helpers.lifecycle import LEAD, Staff, make_staff, start

NAME = "Secretova"


@pytest_asyncio.fixture
async def staff(client, keys, make_key) -> Staff:
    return await make_staff(client, keys, make_key)


def _person() -> dict[str, object]:
    return {
        "type": "individual",
        "last_name": NAME,
        "first_name": "Dilnoza",
        "address": "Almalyk, Hidden street 1",
        "phone": "+998 90 111 11 11",
    }


def _masked(applicant: dict[str, object]) -> bool:
    return applicant["type"] == "individual" and all(
        v is None for k, v in applicant.items() if k != "type"
    )


async def _log(client, keys, appeal_id, role=Role.SUPERVISOR):
    r = await client.get(
        "/api/v1/access-log", params={"appeal_id": appeal_id}, headers=auth(keys[role])
    )
    assert r.status_code == 200, r.text
    return [(e["role"], e["via"]) for e in r.json()["items"]]


async def test_R_8_2_confidential_identity_is_masked_for_all_but_registrar_and_manager(
    client, keys, staff, clock
):
    w = await start(
        client,
        staff,
        clock,
        confidential=True,
        applicants=[_person()],
        representative={"name": "Lawyer Secretov", "authority_documents": True},
    )
    await w.act(Role.MANAGER, "resolve", {"units": [LEAD], "instruction": "Answer."})
    assert await _log(client, keys, w.id) == [("manager", "resolve")]
    await w.act(Role.REGISTRAR, "dispatch")

    for who in (Role.REGISTRAR, Role.MANAGER):
        got = await w.read(who)
        assert got["applicants"][0]["last_name"] == NAME
        assert got["representative"]["name"] == "Lawyer Secretov"
        assert got["personal_data_masked"] is False
    for who in (Role.SUPERVISOR, "lead"):
        got = await w.read(who)
        assert got["personal_data_masked"] is True
        assert _masked(got["applicants"][0])
        representative = got["representative"]
        assert representative["name"] is None and representative["address"] is None
        assert representative["authority_documents"] is True
        assert NAME not in str(got)
    # The executor's own action answer is masked too.
    accepted = await w.act("lead", "accept")
    assert _masked(accepted["applicants"][0])

    listed = await client.get(
        "/api/v1/appeals", params={"received_from": "2026-03-02"}, headers=auth(staff.lead)
    )
    mine = next(a for a in listed.json()["items"] if a["id"] == w.id)
    assert mine["personal_data_masked"] is True and NAME not in str(mine)

    card = await client.get(
        f"/api/v1/appeals/{w.id}/card",
        headers={**auth(keys[Role.SUPERVISOR]), "Accept": "text/html"},
    )
    assert card.status_code == 200 and NAME not in card.text and "Hidden street" not in card.text
    card = await client.get(f"/api/v1/appeals/{w.id}/card", headers=auth(keys[Role.REGISTRAR]))
    assert NAME in card.text

    # Every unmasked answer left a row; masked ones did not.
    log = await _log(client, keys, w.id)
    assert log == [
        ("manager", "resolve"),
        ("registrar", "dispatch"),
        ("registrar", "read"),
        ("manager", "read"),
        ("registrar", "card"),
    ]
    assert await _log(client, keys, w.id, role=Role.ADMIN) == log
    for role in (Role.REGISTRAR, Role.MANAGER, Role.EXECUTOR, Role.ANALYST, Role.INTAKE):
        r = await client.get("/api/v1/access-log", headers=auth(keys[role]))
        assert r.status_code == 403


async def test_R_8_2_ordinary_appeals_are_not_masked_nor_logged(client, keys, staff, clock):
    w = await start(client, staff, clock, applicants=[_person()])
    await w.route(LEAD)
    got = await w.read("lead")
    assert got["applicants"][0]["last_name"] == NAME and got["personal_data_masked"] is False
    assert await _log(client, keys, w.id) == []
