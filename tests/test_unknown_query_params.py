"""API.md: query parameters a route does not know are refused (422), never silently ignored —
on every route of the app, after the key is checked (deny first)."""

from __future__ import annotations

import re

from appeals_api.auth.roles import Role
from tests.helpers import auth
from tests.helpers.apps import api_routes, route_roles

UNKNOWN = "no_such_parameter"
# A value for each path parameter the app's routes take, by name.
_PATH_VALUES = {"year": "2026", "number": "1", "day": "2026-06-01", "code": "05"}
_ANY_ID = "00000000-0000-4000-8000-000000000000"


def _path(template: str) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        return _ANY_ID if name.endswith("id") else _PATH_VALUES[name]

    return re.sub(r"\{(\w+)(?::\w+)?\}", value, template)


def _calls(app):
    for route in api_routes(app.routes):
        for method in sorted(route.methods - {"HEAD"}):
            yield method, _path(route.path), route_roles(route)


async def test_API_every_route_refuses_an_unknown_query_parameter_with_422(app, client, keys):
    calls = list(_calls(app))
    assert len(calls) >= 60  # every route of the app, not a sample
    wrong = []
    for method, path, roles in calls:
        headers = auth(keys[sorted(roles)[0]]) if roles else {}
        body = {} if method in {"POST", "PUT", "PATCH"} else None
        r = await client.request(method, path, params={UNKNOWN: "1"}, json=body, headers=headers)
        problem = r.json() if r.headers.get("content-type", "").endswith("json") else {}
        fields = [e.get("field") for e in problem.get("errors", [])]
        if r.status_code != 422 or fields != [UNKNOWN] or UNKNOWN not in problem["detail"]:
            wrong.append(f"{method} {path}: {r.status_code} {r.text[:200]}")
    assert wrong == []


async def test_API_a_stranger_with_an_unknown_parameter_still_gets_401_first(app, client):
    """Deny first: the key is checked before the request's parameters are judged."""
    wrong = []
    for method, path, roles in _calls(app):
        if roles is None:
            continue
        body = {} if method in {"POST", "PUT", "PATCH"} else None
        r = await client.request(method, path, params={UNKNOWN: "1"}, json=body)
        if r.status_code != 401:
            wrong.append(f"{method} {path}: {r.status_code}")
    assert wrong == []


async def test_API_declared_parameters_are_still_taken(client, keys):
    """Signed links, languages and formats are the routes' own parameters, not unknown ones."""
    h = auth(keys[Role.REGISTRAR])
    r = await client.get("/api/v1/appeals", params={"limit": 1, "sort": "-due"}, headers=h)
    assert r.status_code == 200, r.text
    r = await client.get("/api/v1/calendar/working-days", params={"from": "2026-03-02",
                         "to": "2026-03-06"}, headers=h)  # fmt: skip
    assert r.status_code in (200, 403), r.text
