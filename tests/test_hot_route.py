"""Issue 18, R-1 and R-1.8: intake's hot route (`appeals_api.hot_route`) answers every request
as FastAPI's own handler for the route does. Both paths run on the same requests, side by side:
with a dependency overridden the route goes FastAPI's way, so the override (of a dependency
nobody uses) switches the same app from the hot path to the standard one.

And a route the hot path cannot serve is refused when its handler is built, not under load.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import fastapi.routing
import httpx
import pytest
from fastapi import APIRouter, FastAPI, Query, Request, Response

from appeals_api.auth.roles import Role
from appeals_api.hot_route import HotRoute
from tests.helpers import appeal_body, auth

PATH = "/api/v1/appeals"
# What differs between two registrations of the same body: the appeal's identity.
IDENTITY = {"id", "seq", "number", "tracking_code", "links"}


def _unused() -> None:
    """A dependency no route has: overriding it sends every request FastAPI's way."""


async def _both(
    app: FastAPI, client: httpx.AsyncClient, send: Callable[[], Any]
) -> tuple[httpx.Response, httpx.Response]:
    """`send()`'s answer on the hot path, then on FastAPI's standard path."""
    assert not app.dependency_overrides
    hot = await send()
    app.dependency_overrides[_unused] = _unused
    try:
        standard = await send()
    finally:
        app.dependency_overrides.clear()
    return hot, standard


def _shape(r: httpx.Response) -> tuple[int, str, Any]:
    """An answer without what names one request or one appeal."""
    body = r.json()
    if isinstance(body, dict):
        body = {k: v for k, v in body.items() if k not in IDENTITY | {"instance", "request_id"}}
    return r.status_code, r.headers["content-type"], body


def _post(client: httpx.AsyncClient, content: bytes, **headers: str) -> Callable[[], Any]:
    return lambda: client.post(PATH, content=content, headers=headers)


@pytest.fixture
def walks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths of the requests FastAPI's dependency walk solved (the real one, counted)."""
    solved: list[str] = []
    walk = fastapi.routing.solve_dependencies

    async def counted(*, request: Request, **kwargs: Any) -> Any:
        solved.append(request.url.path)
        return await walk(request=request, **kwargs)

    monkeypatch.setattr(fastapi.routing, "solve_dependencies", counted)
    return solved


async def test_R_1_a_valid_intake_is_registered_alike_on_both_paths(app, client, keys, walks):
    h = {**auth(keys[Role.INTAKE]), "Content-Type": "application/json"}
    body = json.dumps(appeal_body(external_ref="hot-" + uuid.uuid4().hex[:8])).encode()
    hot, standard = await _both(app, client, _post(client, body, **h))
    assert hot.status_code == 201, hot.text
    # The same body, keyed by its `external_ref`: the second path replays the first.
    assert standard.status_code == 201 and standard.headers["idempotent-replayed"] == "true"
    assert standard.json() == hot.json()
    assert walks == [PATH]  # the hot path served the first without the walk, FastAPI the second

    h["Idempotency-Key"] = "hot-" + uuid.uuid4().hex
    first, second = await _both(app, client, _post(client, json.dumps(appeal_body()).encode(), **h))
    assert first.status_code == 201 and second.json() == first.json()  # on both paths

    bodies = [appeal_body(), appeal_body(kind="proposal", language="ru")]
    for b in bodies:
        hot, standard = await _both(
            app,
            client,
            _post(
                client,
                json.dumps(b).encode(),
                **auth(keys[Role.INTAKE]),
                **{"Content-Type": "application/json"},
            ),
        )
        assert hot.status_code == standard.status_code == 201, (hot.text, standard.text)
        assert hot.json()["id"] != standard.json()["id"]  # two appeals, one for each path
        assert _shape(hot) == _shape(standard)


BAD_BODIES = {
    "not JSON": b"{kind: complaint",
    "empty": b"",
    "not UTF-8": b'{"kind": "\xff"}',
    "an array": b"[]",
    "null": b"null",
    "a number": b"12",
    "an empty object": b"{}",
    "a field unknown": json.dumps(appeal_body(colour="red")).encode(),
    "a wrong type": json.dumps(appeal_body(applicants="Karimov")).encode(),
    "a date that is none": json.dumps(appeal_body(received_at="31.02.2026")).encode(),
    "a form the channel refuses": json.dumps(appeal_body(form="oral")).encode(),
    "a kind unknown": json.dumps(appeal_body(kind="wish")).encode(),
    "a text too long": json.dumps(appeal_body(text="x" * 100_001)).encode(),
    "nested nonsense": json.dumps(appeal_body(applicants=[{"type": "alien"}])).encode(),
}


@pytest.mark.parametrize("name", list(BAD_BODIES))
async def test_R_1_a_bad_body_is_refused_alike_on_both_paths(app, client, keys, name):
    h = {**auth(keys[Role.INTAKE]), "Content-Type": "application/json"}
    hot, standard = await _both(app, client, _post(client, BAD_BODIES[name], **h))
    assert 400 <= hot.status_code < 500, hot.text
    assert hot.headers["content-type"] == "application/problem+json"
    assert _shape(hot) == _shape(standard)


BAD_HEADERS: dict[str, dict[str, str]] = {
    "an empty Idempotency-Key": {"Idempotency-Key": ""},
    "a long Idempotency-Key": {"Idempotency-Key": "k" * 256},
    "a space in the Idempotency-Key": {"Idempotency-Key": "a b"},
    "no key": {"Authorization": ""},
    "an unknown key": {"Authorization": "Bearer nobody"},
    "a charset": {"Content-Type": "application/json; charset=utf-8"},
    "upper case": {"Content-Type": "Application/JSON"},
    "text": {"Content-Type": "text/plain"},
    "no content type": {"Content-Type": ""},
}


@pytest.mark.parametrize("name", list(BAD_HEADERS))
async def test_R_1_8_headers_are_read_alike_on_both_paths(app, client, keys, name):
    h = {**auth(keys[Role.INTAKE]), "Content-Type": "application/json", **BAD_HEADERS[name]}
    h = {k: v for k, v in h.items() if v != ""} if name in ("no key", "no content type") else h
    body = json.dumps(appeal_body()).encode()
    hot, standard = await _both(app, client, _post(client, body, **h))
    assert _shape(hot) == _shape(standard), (hot.text, standard.text)


async def test_R_1_a_role_that_may_not_register_is_refused_alike(app, client, keys):
    h = {**auth(keys[Role.EXECUTOR]), "Content-Type": "application/json"}
    hot, standard = await _both(app, client, _post(client, json.dumps(appeal_body()).encode(), **h))
    assert hot.status_code == 403 and _shape(hot) == _shape(standard)


async def test_R_1_a_query_string_and_a_body_over_the_limit_are_refused_alike(
    app, client, keys, settings
):
    h = {**auth(keys[Role.INTAKE]), "Content-Type": "application/json"}
    body = json.dumps(appeal_body()).encode()
    send = lambda: client.post(PATH + "?dry_run=1", content=body, headers=h)  # noqa: E731
    hot, standard = await _both(app, client, send)
    assert hot.status_code == 422 and _shape(hot) == _shape(standard), hot.text
    huge = json.dumps(appeal_body(text="x" * settings.max_body_bytes)).encode()
    hot, standard = await _both(app, client, _post(client, huge, **h))
    assert hot.status_code == 413 and _shape(hot) == _shape(standard)


def test_a_route_the_hot_path_cannot_serve_is_refused_at_start_up():
    """Query parameters, no request, no Response: a `TypeError` when the route is declared,
    naming each thing wrong; the shape intake has is served."""
    router = APIRouter(route_class=HotRoute)
    with pytest.raises(TypeError) as refused:

        @router.post("/bad")
        async def bad(data: dict[str, int], q: str = Query("x")) -> dict[str, int]:
            return data

    assert str(refused.value) == (
        "not a hot route (/bad): the endpoint does not answer a Response; "
        "the endpoint does not take the request; it has path, query or cookie parameters"
    )

    @router.post("/good")
    async def good(request: Request, data: dict[str, int]) -> Response:
        return Response(json.dumps(data))

    FastAPI().include_router(router)
