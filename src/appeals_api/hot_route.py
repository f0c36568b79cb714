"""A hot route: its common request skips FastAPI's generic parameter solving (issue 18).

On every request FastAPI walks the route's dependency tree to find what to read and validate,
and parses the Content-Type with the email package. On intake, the busiest route, that walk
cost the API more CPU than the appeal's own plan (bench/RESULTS.md). `HotRoute` serves the
common request — no query string, `Content-Type: application/json`, no dependency overridden —
by calling FastAPI's own validators for the route's header and body parameters, then its
dependencies (each takes only the request) and the endpoint. Any other request, and any
request whose header or body does not validate, goes FastAPI's way (`APIRoute`'s handler): so
every refusal is FastAPI's, worded and ordered as on every other route, and every rule stays
in the route's declared parameters and models. `tests/test_hot_route.py` runs both paths on the
same requests and compares the answers.

A route's shape is checked when its handler is built (start-up): a hot route takes the request,
header parameters, one JSON body and dependencies of the request alone, and answers a
`Response` itself. Anything else is a `TypeError` there, never a surprise under load.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi._compat import ModelField, Undefined, field_annotation_is_sequence
from fastapi.dependencies.models import Dependant
from fastapi.dependencies.utils import (
    _get_param_aliases,
    _get_param_model,
    _validate_value_with_model_field,
    request_body_to_args,
)
from fastapi.routing import APIRoute, _effective_route_context_var
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

Handler = Callable[[Request], Coroutine[Any, Any, Response]]
_JSON = "application/json"


class HotRoute(APIRoute):
    """An `APIRoute` whose common request is served without FastAPI's dependency walk."""

    def get_route_handler(self) -> Handler:
        # Included in a router, the route is served as its inclusion sees it (the app's
        # dependencies added): FastAPI builds the handler with that context current.
        context = _effective_route_context_var.get()
        route: Any = context if context is not None and context.original_route is self else self
        return hot_handler(route, super().get_route_handler())


def hot_handler(route: Any, standard: Handler) -> Handler:
    """The hot path for `route` (an `APIRoute`, or its inclusion's context), and `standard`
    (FastAPI's handler) for every request it does not serve."""
    dependant: Dependant = route.dependant
    _check_shape(dependant)
    endpoint = dependant.call
    assert endpoint is not None
    request_name = dependant.request_param_name
    assert request_name is not None
    headers = [(field, _header_key(field)) for field in dependant.header_params]
    body_fields = dependant.body_params
    embed = route._embed_body_fields
    dependencies = [(sub.name, sub.call) for sub in dependant.dependencies if sub.call is not None]
    overrides = route.dependency_overrides_provider

    async def handler(request: Request) -> Response:
        if (
            request.scope.get("query_string")
            or (request.headers.get("content-type") or "").lower() != _JSON
            or (overrides is not None and getattr(overrides, "dependency_overrides", None))
        ):
            return await standard(request)
        try:
            received = json.loads(await request.body())
        except HTTPException:  # the body's limit (413): as FastAPI lets it through
            raise
        except Exception:  # not JSON, or the body could not be read: FastAPI says which
            return await standard(request)
        values: dict[str, Any] = {}
        for field, key in headers:  # as FastAPI reads a header (`request_params_to_args`)
            raw = request.headers.get(key)
            value, errors = _validate_value_with_model_field(
                field=field,
                value=Undefined if raw is None else raw,
                values=values,
                loc=("header", key),
            )
            if errors:
                return await standard(request)
            values[field.name] = value
        body, errors = await request_body_to_args(body_fields, received, embed)
        if errors:
            return await standard(request)
        for name, call in dependencies:
            value = await call(request)
            if name is not None:
                values[name] = value
        values.update(body)
        values[request_name] = request
        response: Response = await endpoint(**values)
        return response

    return handler


def _header_key(field: ModelField) -> str:
    """The header FastAPI reads `field` from: one name, one value (else not a hot route)."""
    aliases = _get_param_aliases(field)
    annotation = field.field_info.annotation
    if len(aliases) != 1 or _get_param_model(field) or field_annotation_is_sequence(annotation):
        raise TypeError(f"not a hot route: header {field.name} is not one plain value")
    return aliases[0][1]


def _check_shape(dependant: Dependant) -> None:
    """What `hot_handler` can serve: see the module's docstring."""
    call = dependant.call
    problems = []
    if not inspect.iscoroutinefunction(call):
        problems.append("the endpoint is not a coroutine function")
    elif inspect.signature(call).return_annotation not in (Response, "Response"):
        problems.append("the endpoint does not answer a Response")
    if dependant.request_param_name is None:
        problems.append("the endpoint does not take the request")
    if dependant.path_params or dependant.query_params or dependant.cookie_params:
        problems.append("it has path, query or cookie parameters")
    if len(dependant.body_params) != 1:
        problems.append("it does not take exactly one body")
    for sub in dependant.dependencies:
        takes_more = (
            sub.dependencies
            or sub.path_params
            or sub.query_params
            or sub.header_params
            or sub.cookie_params
            or sub.body_params
        )
        if takes_more or sub.request_param_name is None:
            problems.append(f"dependency {sub.call!r} takes more than the request")
        if not inspect.iscoroutinefunction(sub.call):
            problems.append(f"dependency {sub.call!r} is not a coroutine function")
    if problems:
        raise TypeError(f"not a hot route ({dependant.path}): " + "; ".join(problems))
