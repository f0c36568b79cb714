"""Walking an appeal through its lifecycle over HTTP, as the frontends do."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from appeals_api.auth.roles import Role
from appeals_api.clock import FrozenClock
from tests.helpers.common import KeyMaker, appeal_body, at_tashkent, auth

LEAD, SECOND = "LC-LEAD", "LC-SECOND"


@dataclass
class Staff:
    """One key per role, and an executor key for each of the two lifecycle units."""

    keys: dict[Role, str]
    lead: str
    second: str

    def key(self, who: Role | str) -> str:
        if who == "lead":
            return self.lead
        if who == "second":
            return self.second
        assert isinstance(who, Role)
        return self.keys[who]


async def make_staff(client: httpx.AsyncClient, keys: dict[Role, str], make_key: KeyMaker) -> Staff:
    for code in (LEAD, SECOND):
        r = await client.post(
            "/api/v1/units", json={"code": code, "name": code}, headers=auth(keys[Role.ADMIN])
        )
        assert r.status_code in (201, 409), r.text
    return Staff(
        keys=keys,
        lead=await make_key(Role.EXECUTOR, unit=LEAD),
        second=await make_key(Role.EXECUTOR, unit=SECOND),
    )


@dataclass
class Walk:
    """One appeal, and the steps taken on it."""

    client: httpx.AsyncClient
    staff: Staff
    clock: FrozenClock
    id: str
    appeal: dict[str, Any]
    last_etag: str = '"1"'

    async def act(
        self,
        who: Role | str,
        name: str,
        body: dict[str, Any] | None = None,
        *,
        expect: int = 200,
        if_match: str | None = None,
    ) -> dict[str, Any]:
        headers = auth(self.staff.key(who))
        if if_match is not None:
            headers["If-Match"] = if_match
        r = await self.client.post(
            f"/api/v1/appeals/{self.id}/actions/{name}",
            json=body if body is not None else {},
            headers=headers,
        )
        assert r.status_code == expect, f"{name}: {r.status_code} {r.text}"
        out: dict[str, Any] = r.json()
        if expect == 200:
            self.appeal = out
            self.last_etag = r.headers["ETag"]
        else:
            assert r.headers["content-type"].startswith("application/problem+json")
        return out

    async def read(self, who: Role | str = Role.SUPERVISOR) -> dict[str, Any]:
        r = await self.client.get(f"/api/v1/appeals/{self.id}", headers=auth(self.staff.key(who)))
        assert r.status_code == 200, r.text
        self.appeal = r.json()
        return self.appeal

    async def etag(self) -> str:
        r = await self.client.get(
            f"/api/v1/appeals/{self.id}", headers=auth(self.staff.key(Role.SUPERVISOR))
        )
        return str(r.headers["ETag"])

    async def allowed(self, who: Role | str) -> list[str]:
        r = await self.client.get(
            f"/api/v1/appeals/{self.id}/actions", headers=auth(self.staff.key(who))
        )
        assert r.status_code == 200, r.text
        return [a["name"] for a in r.json()["items"]]

    async def history(self) -> list[dict[str, Any]]:
        r = await self.client.get(
            f"/api/v1/appeals/{self.id}/history", headers=auth(self.staff.key(Role.SUPERVISOR))
        )
        assert r.status_code == 200, r.text
        items: list[dict[str, Any]] = r.json()["items"]
        return items

    def deadline(self, rule: str) -> dict[str, Any]:
        found = [d for d in self.appeal["deadlines"] if d["rule"] == rule]
        assert found, f"no {rule} deadline in {self.appeal['deadlines']}"
        return found[-1]

    def at(self, month: int, day: int, hour: int = 11) -> None:
        self.clock.set(at_tashkent(self.clock().year, month, day, hour))

    async def route(self, *units: str, study_required: bool = False) -> None:
        """Resolution, dispatch, acceptance by every unit: the appeal is in consideration."""
        await self.act(
            Role.MANAGER,
            "resolve",
            {
                "units": list(units),
                "instruction": "Consider and answer.",
                "study_required": study_required,
            },
        )
        await self.act(Role.REGISTRAR, "dispatch")
        for unit in units:
            await self.act("lead" if unit == LEAD else "second", "accept")

    async def answer(
        self, outcome: str = "satisfied", *, sent_on: str | None = None, **extra: Any
    ) -> None:
        """Draft by the lead unit, signature, sending."""
        await self.act(
            "lead", "respond", {"outcome": outcome, "text": "We have taken measures.", **extra}
        )
        await self.act(Role.MANAGER, "sign")
        await self.act(
            Role.REGISTRAR,
            "send",
            {"letter_number": "01-123", **({"sent_on": sent_on} if sent_on else {})},
        )

    async def out_by_letter(
        self, name: str, body: dict[str, Any], *, letter_number: str = "07-15/77", **send: Any
    ) -> None:
        """A way out's letter (R-6.4): drafted by the registrar (`forward`, `return`,
        `withdraw`), signed by a manager, sent by the registrar."""
        await self.act(Role.REGISTRAR, name, body)
        await self.act(Role.MANAGER, "sign")
        await self.act(Role.REGISTRAR, "send", {"letter_number": letter_number, **send})


async def start(
    client: httpx.AsyncClient, staff: Staff, clock: FrozenClock, **overrides: Any
) -> Walk:
    r = await client.post(
        "/api/v1/appeals",
        json=appeal_body(**overrides),
        headers=auth(staff.keys[Role.REGISTRAR]),
    )
    assert r.status_code == 201, r.text
    created = r.json()
    return Walk(client=client, staff=staff, clock=clock, id=created["id"], appeal=created)
