"""Units (issue 17): one unit per code in any case, renamed and retired by the admin; a retired
unit receives no new routings (R-4.1) and keeps its appeals; migration 0022 refuses units
whose codes differ only in case and moves a lower-case code to upper case."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg
import pytest

from appeals_api.auth.roles import Role
from tests.helpers import appeal_body, auth
from tests.helpers.db import migrate, scratch_database


async def _unit(client, keys, code: str, name: str = "Geology department"):
    return await client.post(
        "/api/v1/units", json={"code": code, "name": name}, headers=auth(keys[Role.ADMIN])
    )


async def test_R_4_1_unit_codes_are_case_insensitive(client, keys, make_key):
    stem = "geo" + uuid.uuid4().hex[:4]
    r = await _unit(client, keys, stem)
    assert r.status_code == 201, r.text
    assert r.json()["code"] == stem.upper()
    again = await _unit(client, keys, stem.upper(), "Other")
    assert again.status_code == 409, again.text
    # An executor key bound with any case is bound to the one unit.
    await make_key(Role.EXECUTOR, unit=stem)
    registrar = auth(keys[Role.REGISTRAR])
    appeal = (await client.post("/api/v1/appeals", json=appeal_body(), headers=registrar)).json()
    routed = await client.post(
        f"/api/v1/appeals/{appeal['id']}/actions/resolve",
        json={"units": [stem], "instruction": "Check the site"},
        headers=auth(keys[Role.MANAGER]),
    )
    assert routed.status_code == 200, routed.text
    assert routed.json()["units"] == [stem.upper()]
    found = await client.get("/api/v1/appeals", params={"unit": stem}, headers=registrar)
    assert appeal["id"] in [a["id"] for a in found.json()["items"]]


async def test_R_4_1_admin_renames_and_retires_a_unit_which_then_takes_no_new_routings(
    client, keys
):
    code = "RET" + uuid.uuid4().hex[:4].upper()
    assert (await _unit(client, keys, code)).status_code == 201
    registrar, manager = auth(keys[Role.REGISTRAR]), auth(keys[Role.MANAGER])
    admin = auth(keys[Role.ADMIN])
    first = (await client.post("/api/v1/appeals", json=appeal_body(), headers=registrar)).json()
    r = await client.post(
        f"/api/v1/appeals/{first['id']}/actions/resolve",
        json={"units": [code], "instruction": "Check"},
        headers=manager,
    )
    assert r.status_code == 200, r.text

    for role in (Role.REGISTRAR, Role.MANAGER, Role.EXECUTOR):
        r = await client.patch(
            f"/api/v1/units/{code}", json={"retired": True}, headers=auth(keys[role])
        )
        assert r.status_code == 403, role
    renamed = await client.patch(
        f"/api/v1/units/{code.lower()}", json={"name": "Geology service"}, headers=admin
    )
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["name"] == "Geology service" and renamed.json()["retired"] is False
    retired = await client.patch(f"/api/v1/units/{code}", json={"retired": True}, headers=admin)
    assert retired.status_code == 200, retired.text
    assert retired.json()["retired"] is True and retired.json()["retired_at"].endswith("+05:00")

    listed = await client.get("/api/v1/units", headers=registrar)
    [mine] = [u for u in listed.json()["items"] if u["code"] == code]
    assert mine["retired"] is True and mine["name"] == "Geology service"
    second = (await client.post("/api/v1/appeals", json=appeal_body(), headers=registrar)).json()
    refused = await client.post(
        f"/api/v1/appeals/{second['id']}/actions/resolve",
        json={"units": [code], "instruction": "Check"},
        headers=manager,
    )
    assert refused.status_code == 409, refused.text
    assert "retired" in refused.json()["detail"] and code in refused.json()["detail"]
    # The appeal routed before keeps its unit, and its history.
    kept = await client.get(f"/api/v1/appeals/{first['id']}", headers=registrar)
    assert kept.json()["units"] == [code]
    back = await client.patch(f"/api/v1/units/{code}", json={"retired": False}, headers=admin)
    assert back.json()["retired"] is False and back.json()["retired_at"] is None
    for bad in ({}, {"name": ""}, {"retired": True, "surprise": 1}):
        r = await client.patch(f"/api/v1/units/{code}", json=bad, headers=admin)
        assert r.status_code == 422, bad
    r = await client.patch("/api/v1/units/NO-SUCH", json={"retired": True}, headers=admin)
    assert r.status_code == 404


def test_migration_0022_refuses_units_differing_only_in_case_and_uppers_the_others(servers):
    with scratch_database(servers.postgres_url, "appeals_units") as url:
        migrate(url, "0019")
        _sql(url, "INSERT INTO units (code, name) VALUES ('eco', 'a'), ('ECO', 'b'), ('geo', 'c')")
        with pytest.raises(RuntimeError, match=r"differ only in case: ECO: ECO, eco\. Merge"):
            migrate(url, "0022")
        _sql(url, "DELETE FROM units WHERE code = 'eco'")
        _sql(
            url,
            "INSERT INTO api_keys (id, name, role, unit_code, key_hash, key_prefix) VALUES "
            "(gen_random_uuid(), 'geo executor', 'executor', 'geo', 'h', 'apk_x')",
        )
        migrate(url, "0022")
        units = asyncio.run(_fetch(url, "SELECT code FROM units ORDER BY code"))
        assert "GEO" in units and "geo" not in units and "ECO" in units
        assert asyncio.run(_fetch(url, "SELECT unit_code FROM api_keys")) == ["GEO"]
        with pytest.raises(asyncpg.UniqueViolationError):
            _sql(url, "INSERT INTO units (code, name) VALUES ('Eco', 'twin')")
        migrate(url, "0019", down=True)


def _sql(url: str, sql: str) -> None:
    async def run() -> None:
        conn = await asyncpg.connect(url)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(run())


async def _fetch(url: str, sql: str) -> list[str]:
    conn = await asyncpg.connect(url)
    try:
        return [r[0] for r in await conn.fetch(sql)]
    finally:
        await conn.close()
