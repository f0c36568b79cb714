"""Structural units (§19, §27) and executor keys bound to one."""

from __future__ import annotations

import uuid

import pytest

from appeals_api.auth.roles import Role
from appeals_api.errors import NotFound, Unprocessable
from tests.helpers import auth


async def test_admin_adds_units_and_everyone_with_a_key_lists_them(client, keys):
    code = "U-" + uuid.uuid4().hex[:6].upper()  # codes are kept in upper case
    r = await client.post(
        "/api/v1/units",
        json={"code": code, "name": "Geology department"},
        headers=auth(keys[Role.ADMIN]),
    )
    assert r.status_code == 201, r.text
    again = await client.post(
        "/api/v1/units", json={"code": code, "name": "Other"}, headers=auth(keys[Role.ADMIN])
    )
    assert again.status_code == 409
    listed = await client.get("/api/v1/units", headers=auth(keys[Role.EXECUTOR]))
    assert {"code": code, "name": "Geology department"}.items() <= next(
        u for u in listed.json()["items"] if u["code"] == code
    ).items()
    bad = await client.post(
        "/api/v1/units", json={"code": "has space", "name": "x"}, headers=auth(keys[Role.ADMIN])
    )
    assert bad.status_code == 422


async def test_executor_keys_must_name_an_existing_unit(make_key):
    with pytest.raises(Unprocessable):
        await make_key(Role.EXECUTOR)
    with pytest.raises(NotFound):
        await make_key(Role.EXECUTOR, unit="NO-SUCH-UNIT")
    with pytest.raises(Unprocessable):
        await make_key(Role.REGISTRAR, unit="TEST-UNIT")


async def test_unit_name_longer_than_the_column_is_422_not_500(client, keys):
    r = await client.post(
        "/api/v1/units",
        json={"code": "LONG-NAME", "name": "x" * 301},
        headers={"Authorization": f"Bearer {keys[Role.ADMIN]}"},
    )
    assert r.status_code == 422, r.text


async def test_a_long_key_name_still_fits_the_records(client, make_key):
    """The actor label (name and role) must fit the history and override columns."""
    key = await make_key(Role.REGISTRAR, name="N" * 200)
    r = await client.put(
        "/api/v1/calendar/overrides/2026-01-05",
        json={"working": False, "reason": "Decree"},
        headers={"Authorization": f"Bearer {key}"},
    )
    assert r.status_code == 200, r.text
    assert r.json()["updated_by"].endswith("(registrar)")
