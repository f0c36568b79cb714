"""The API's documentation pages, offline: `/docs` (Swagger UI) and `/redoc` with the assets the
`fastapi-offline` package ships (swagger-ui-dist and ReDoc, MIT/Apache-2.0), served by the app
itself, so an intranet without the internet sees them; and the OpenAPI document's bearer scheme
(an API key or an OIDC JWT) on every route that checks one, with examples of the main bodies and
OpenAPI links where operations chain (what a creation answers names what the next ones take)."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles

from appeals_api.auth.dependencies import declared_roles
from appeals_api.errors import PROBLEM_MEDIA_TYPE

ASSETS_PATH = "/docs/assets"
ASSETS = Path(str(files("fastapi_offline") / "static"))
SCHEME = "bearer"
SECURITY_SCHEME = {
    "type": "http",
    "scheme": "bearer",
    "description": "API key or OIDC JWT: `Authorization: Bearer <api key>` for systems (made "
    "with `appeals-api keys create`), `Bearer <JWT>` for people signed in through the "
    "company's OpenID Connect provider.",
}
DOCS_TITLE = "appeals-api"


def install(app: FastAPI) -> None:
    """`/docs`, `/redoc` and their assets; the OpenAPI document with its security scheme."""
    app.mount(ASSETS_PATH, StaticFiles(directory=ASSETS), name="docs-assets")
    openapi_url = app.openapi_url or "/openapi.json"
    redirect = "/docs/oauth2-redirect"

    async def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=openapi_url, title=f"{DOCS_TITLE} — Swagger UI",
            swagger_js_url=f"{ASSETS_PATH}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS_PATH}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS_PATH}/favicon.png", oauth2_redirect_url=redirect,
            swagger_ui_parameters={"persistAuthorization": True},
        )  # fmt: skip

    async def swagger_ui_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    async def redoc() -> HTMLResponse:
        return get_redoc_html(
            openapi_url=openapi_url, title=f"{DOCS_TITLE} — ReDoc",
            redoc_js_url=f"{ASSETS_PATH}/redoc.standalone.js",
            redoc_favicon_url=f"{ASSETS_PATH}/favicon.png", with_google_fonts=False,
        )  # fmt: skip

    app.add_api_route("/docs", swagger_ui, include_in_schema=False)
    app.add_api_route(redirect, swagger_ui_redirect, include_in_schema=False)
    app.add_api_route("/redoc", redoc, include_in_schema=False)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = document(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def document(app: FastAPI) -> dict[str, Any]:
    """FastAPI's document, with the bearer scheme on the routes that check a key or token
    (those that declare their roles) and examples on the main request bodies."""
    doc = get_openapi(
        title=app.title, version=app.version, description=app.description, routes=app.routes
    )
    doc.setdefault("components", {}).setdefault("securitySchemes", {})[SCHEME] = SECURITY_SCHEME
    for route in _api_routes(app.routes):
        if _protected(route):
            for method in route.methods or ():
                operation = doc["paths"].get(route.path_format, {}).get(method.lower())
                if operation is not None:
                    operation["security"] = [{SCHEME: []}]
    for operation in (op for ops in doc["paths"].values() for op in ops.values()):
        example = EXAMPLES.get(operation.get("operationId", ""))
        content = operation.get("requestBody", {}).get("content", {}).get("application/json")
        if example is not None and content is not None:
            content["example"] = example
    _declare_problems(doc)
    _add_links(doc)
    return doc


PROBLEM_SCHEMA = {"schema": {"$ref": "#/components/schemas/Problem"}}


def _declare_problems(doc: dict[str, Any]) -> None:
    """Every error answer as it is sent (issue 19's fuzzing): problem+json with the Problem
    schema (FastAPI declares its 422 as application/json only), and the 400 of an unreadable
    body on every operation that takes one. Only adds: what was declared stays."""
    for operation in (op for ops in doc["paths"].values() for op in ops.values()):
        responses = operation.setdefault("responses", {})
        if "requestBody" in operation and "400" not in responses:
            responses["400"] = {"description": "Problem"}
        for status, response in responses.items():
            if status[0] in "45":
                content = response.setdefault("content", {})
                content[PROBLEM_MEDIA_TYPE] = {
                    **content.get(PROBLEM_MEDIA_TYPE, {}),
                    **PROBLEM_SCHEMA,
                }


def _add_links(doc: dict[str, Any]) -> None:
    """OpenAPI links from each operation of LINKS to every operation on the thing it made: those
    whose path is the chain's path with the parameter; the parameter is read from the answer."""
    operations = [(path, op) for path, ops in doc["paths"].items() for op in ops.values()]
    for operation in (op for _, op in operations):
        chain = LINKS.get(operation.get("operationId", ""))
        response = operation.get("responses", {}).get(chain[0]) if chain else None
        if chain is None or response is None:
            continue
        _, prefix, parameter, pointer = chain
        links = response.setdefault("links", {})
        for path, target in operations:
            if path.startswith(f"{prefix}{{{parameter}}}"):
                links[target["operationId"]] = {
                    "operationId": target["operationId"],
                    "parameters": {parameter: f"$response.body#/{pointer}"},
                }


def _api_routes(routes: list[Any]) -> list[APIRoute]:
    """Every documented route, also those of the included routers (their paths are whole)."""
    found: list[APIRoute] = []
    for route in routes:
        if isinstance(route, APIRoute) and route.include_in_schema:
            found.append(route)
        elif hasattr(route, "original_router"):
            found += _api_routes(route.original_router.routes)
    return found


def _protected(route: APIRoute) -> bool:
    pending = list(route.dependant.dependencies)
    while pending:
        dependency = pending.pop()
        if declared_roles(dependency.call) is not None:
            return True
        pending.extend(dependency.dependencies)
    return False


APPLICANT = {
    "type": "individual",
    "last_name": "Karimov",
    "first_name": "Aziz",
    "patronymic": "Bahodirovich",
    "address": "Olmaliq sh., Navoiy koʻchasi, 5-uy",
    "phone": "+998 90 123 45 67",
    "email": "aziz.karimov@example.uz",
}
# The main request bodies, by operation id; `tests/test_apidocs.py` checks each is accepted.
EXAMPLES: dict[str, dict[str, Any]] = {
    "create_appeal_api_v1_appeals_post": {
        "kind": "complaint",
        "form": "electronic",
        "channel": "website",
        "language": "uz",
        "text": "Chiqindi omboridan chang koʻchamizga yetib kelmoqda; choralar koʻrishingizni "
        "soʻraymiz.",
        "summary": "Chang: chiqindi omboridan",
        "applicants": [APPLICANT],
    },
    "correct_appeal_api_v1_appeals__appeal_id__patch": {
        "reason": "The applicant's patronymic was misspelt at registration.",
        "applicants": [{**APPLICANT, "patronymic": "Bahodir oʻgʻli"}],
    },
    "action_resolve": {
        "units": ["ECO"],
        "instruction": "Consider and answer within the term.",
        "study_required": False,
    },
    "action_respond": {
        "outcome": "satisfied",
        "text": "Dust suppression on the tailings has been increased; measurements are attached.",
        "language": "uz",
        "interim": False,
    },
    "action_send": {"letter_number": "01-12/345", "sent_on": "2026-03-20"},
    "action_extend": {"due_date": "2026-04-30", "reason": "An on-site inspection is needed."},
    "action_shorten": {"due_date": "2026-03-20", "reason": "The matter is urgent."},
    "action_withdraw": {"received_on": "2026-03-10"},
    "action_forward": {"body": "Olmaliq shahar hokimligi"},
    "action_leave_without_consideration": {
        "ground": "no_authority_documents",
        "conclusion": "The representative gave no document of their authority (§12).",
    },
    "action_terminate": {
        "ground": "repeat_without_new_arguments",
        "conclusion": "A repeat of appeal 12/26 with no new arguments (§50).",
    },
}

# Where operations chain (schemathesis' stateful phase walks these): the operation that makes a
# thing -> (its success status, the path of the thing's operations, their parameter, the field
# of the answer that fills it). Links go to every operation under `<path>{<parameter>}`.
LINKS: dict[str, tuple[str, str, str, str]] = {
    "create_appeal_api_v1_appeals_post": ("201", "/api/v1/appeals/", "appeal_id", "id"),
    "add_document_api_v1_appeals__appeal_id__documents_post": (
        "201", "/api/v1/documents/", "document_id", "id"),
    "create_webhook_api_v1_webhooks_post": (
        "201", "/api/v1/webhooks/", "subscription_id", "id"),
    "create_unit_api_v1_units_post": ("201", "/api/v1/units/", "code", "code"),
    "create_topic_api_v1_topics_post": ("201", "/api/v1/topics/", "code", "code"),
    "add_schedule_entry_api_v1_receptions_schedule_post": (
        "201", "/api/v1/receptions/schedule/", "entry_id", "id"),
    "record_reception_api_v1_receptions_post": (
        "201", "/api/v1/receptions/", "reception_id", "id"),
    "record_protocol_api_v1_receptions_protocols_post": (
        "201", "/api/v1/receptions/protocols/", "protocol_id", "id"),
    "put_override_api_v1_calendar_overrides__day__put": (
        "200", "/api/v1/calendar/overrides/", "day", "day"),
}  # fmt: skip
