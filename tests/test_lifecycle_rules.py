"""The rules every action obeys: ETag/If-Match, 409 with the allowed actions, 403, 404 for
executors of other units, one transaction per action, and concurrent actions (API.md)."""

from __future__ import annotations

import asyncio

import pytest_asyncio

from appeals_api.appeals.lifecycle.workflow import ACTIONS, TRANSITIONS
from appeals_api.auth.roles import Role
from tests.helpers import auth
from tests.helpers.lifecycle import LEAD, SECOND, Staff, make_staff, start


@pytest_asyncio.fixture
async def staff(client, keys, make_key) -> Staff:
    return await make_staff(client, keys, make_key)


async def _walk(client, staff, clock, **overrides):
    return await start(client, staff, clock, **overrides)


def test_the_transition_map_is_explicit_and_complete():
    assert set(TRANSITIONS) == set(ACTIONS)
    assert all(TRANSITIONS[name] for name in ACTIONS)  # every action is possible somewhere
    # No action starts from a final state, except the letters of a decision, which a manager
    # signs and the registrar sends (R-6.4: the notice of a conclusion, the answer a terminated
    # withdrawal still owes, §17), and the envelope report's copy the applicant is owed whatever
    # became of the appeal (§14, R-1.6); and none of them leaves it.
    finals = {"left_without_consideration", "terminated", "forwarded", "returned", "joined"}
    letters = {
        "send": {"terminated", "left_without_consideration"},
        "sign": {"terminated"},
        "send_envelope_report": finals,
    }
    for name, moves in TRANSITIONS.items():
        starts = {s.value for s in moves} & finals
        assert starts <= letters.get(name, set()), name
        assert all(moves[s] == s for s in moves if s.value in finals), name


async def test_stale_if_match_is_412_and_current_one_passes(client, staff, clock):
    w = await _walk(client, staff, clock)
    etag = await w.etag()
    assert etag == '"1"'
    body = {"units": [LEAD], "instruction": "Answer."}
    await w.act(Role.MANAGER, "resolve", body, if_match='"7"', expect=412)
    await w.act(Role.MANAGER, "resolve", body, if_match=etag)
    assert w.last_etag == '"2"'
    # The same request retried with the ETag it was based on cannot apply twice.
    await w.act(Role.MANAGER, "resolve", body, if_match=etag, expect=412)
    await w.act(Role.REGISTRAR, "dispatch", if_match=f"W/{w.last_etag}")
    history = await w.history()
    assert [h["action"] for h in history] == ["registered", "resolve", "dispatch"]


async def test_action_the_state_does_not_allow_is_409_naming_the_allowed(client, staff, clock):
    w = await _walk(client, staff, clock)
    r = await w.act(Role.MANAGER, "sign", expect=409)
    assert r["code"] == "action_not_allowed"
    assert r["allowed_actions"] == await w.allowed(Role.MANAGER)
    assert "resolve" in r["allowed_actions"]
    r = await w.act(Role.REGISTRAR, "send", {"letter_number": "1"}, expect=409)
    assert "forward" in r["allowed_actions"] and "send" not in r["allowed_actions"]
    # Nothing changed: no history row, same version.
    assert [h["action"] for h in await w.history()] == ["registered"]
    assert await w.etag() == '"1"'


async def test_action_the_role_does_not_allow_is_403(client, staff, clock):
    w = await _walk(client, staff, clock)
    for role in (Role.INTAKE, Role.ANALYST, Role.ADMIN, Role.SUPERVISOR, Role.DIRECTUM):
        await w.act(role, "resolve", {"units": [LEAD], "instruction": "x"}, expect=403)
    await w.act(Role.REGISTRAR, "resolve", {"units": [LEAD], "instruction": "x"}, expect=403)
    await w.act(Role.MANAGER, "dispatch", expect=403)
    # GET /actions lists nothing a role may not do.
    for role in (Role.SUPERVISOR, Role.REGISTRAR):
        for name in await w.allowed(role):
            assert role in ACTIONS[name].roles


async def test_executors_reach_only_appeals_routed_to_their_unit(client, staff, clock):
    w = await _walk(client, staff, clock)
    await w.route(LEAD)
    listed = await client.get(
        "/api/v1/appeals", params={"received_from": "2026-03-02"}, headers=auth(staff.second)
    )
    assert w.id not in {a["id"] for a in listed.json()["items"]}
    listed = await client.get(
        "/api/v1/appeals", params={"received_from": "2026-03-02"}, headers=auth(staff.lead)
    )
    assert w.id in {a["id"] for a in listed.json()["items"]}
    for path in ("", "/history", "/actions"):
        r = await client.get(f"/api/v1/appeals/{w.id}{path}", headers=auth(staff.second))
        assert r.status_code == 404, path
    await w.act("second", "record_measure", _measure(), expect=404)
    # Re-routed: the second unit gets it, the lead unit loses it; history is kept.
    await w.act(Role.MANAGER, "resolve", {"units": [SECOND], "instruction": "Re-routed."})
    assert w.appeal["status"] == "resolved" and w.appeal["units"] == [SECOND]
    r = await client.get(f"/api/v1/appeals/{w.id}", headers=auth(staff.lead))
    assert r.status_code == 404
    resolves = [h for h in await w.history() if h["action"] == "resolve"]
    assert [h["changes"]["units"] for h in resolves] == [[[], [LEAD]], [[LEAD], [SECOND]]]
    await w.act(Role.REGISTRAR, "dispatch")
    assert await w.allowed("second") == ["accept"]


async def test_bad_bodies_are_422_and_unknown_actions_404(client, staff, clock):
    w = await _walk(client, staff, clock)
    await w.act(Role.MANAGER, "resolve", {"units": ["NO-SUCH"], "instruction": "x"}, expect=422)
    await w.act(Role.MANAGER, "resolve", {"units": [], "instruction": "x"}, expect=422)
    await w.act(Role.MANAGER, "resolve", {"units": [LEAD, LEAD], "instruction": "x"}, expect=422)
    await w.act(
        Role.MANAGER,
        "resolve",
        {"units": [LEAD], "instruction": "x", "status": "closed"},
        expect=422,
    )
    await w.act(Role.MANAGER, "resolve", {"units": [LEAD], "instruction": "x\x00"}, expect=422)
    r = await client.post(
        f"/api/v1/appeals/{w.id}/actions/approve", json={}, headers=auth(staff.keys[Role.MANAGER])
    )
    assert r.status_code == 404
    r = await client.post(
        "/api/v1/appeals/00000000-0000-4000-8000-000000000000/actions/resolve",
        json={"units": [LEAD], "instruction": "x"},
        headers=auth(staff.keys[Role.MANAGER]),
    )
    assert r.status_code == 404
    assert [h["action"] for h in await w.history()] == ["registered"]


async def test_actions_listing_describes_each_body(client, staff, clock):
    w = await _walk(client, staff, clock)
    r = await client.get(f"/api/v1/appeals/{w.id}/actions", headers=auth(staff.keys[Role.MANAGER]))
    assert r.status_code == 200 and r.headers["ETag"] == '"1"'
    resolve = next(a for a in r.json()["items"] if a["name"] == "resolve")
    fields = {f["name"]: f for f in resolve["fields"]}
    assert fields["units"]["required"] and fields["instruction"]["required"]
    assert not fields["study_required"]["required"]
    assert resolve["href"] == f"/api/v1/appeals/{w.id}/actions/resolve"


async def test_two_concurrent_conflicting_actions_exactly_one_wins(client, staff, clock):
    """The appeal row is locked for the action: a second one sees the first one's result."""
    for if_match in ('"1"', None):
        w = await _walk(client, staff, clock)
        headers = {"If-Match": if_match} if if_match else {}

        async def post(role: Role, name: str, body: dict[str, object], w=w, headers=headers):
            return await client.post(
                f"/api/v1/appeals/{w.id}/actions/{name}",
                json=body,
                headers={**auth(staff.keys[role]), **headers},
            )

        results = await asyncio.gather(
            post(Role.REGISTRAR, "forward", {"body": "Ministry of Energy"}),
            post(
                Role.MANAGER,
                "leave_without_consideration",
                {"ground": "other", "conclusion": "Not an appeal."},
            ),
            post(Role.REGISTRAR, "withdraw", {"received_on": "2026-03-02"}),
        )
        codes = sorted(r.status_code for r in results)
        loser = 412 if if_match else 409
        assert codes == [200, loser, loser], [r.text for r in results]
        history = [h["action"] for h in await w.history()]
        assert len(history) == 2  # registered + the winner, nothing of the losers
        assert await w.etag() == '"2"'


def _measure() -> dict[str, object]:
    return {"type": "hearing", "held_on": "2026-03-02", "description": "Hearing."}
