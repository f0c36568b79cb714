"""The documentation works offline (issue 17, part 5): `/docs` and `/redoc` load only assets the
service serves itself, and the OpenAPI document declares the bearer scheme and shows examples."""

from __future__ import annotations

import re

import pytest

from appeals_api.apidocs import EXAMPLES
from appeals_api.appeals.corrections.schemas import AppealCorrection
from appeals_api.appeals.lifecycle.workflow import ACTIONS
from appeals_api.auth.roles import Role
from tests.helpers import auth
from tests.helpers.apps import api_routes, route_roles

pytestmark = pytest.mark.asyncio

ASSET = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']|url\(['"]?([^'")]+)""")


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
async def test_the_docs_pages_load_only_assets_the_service_serves(client, page):
    r = await client.get(page)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    urls = [a or b for a, b in ASSET.findall(r.text)]
    assert urls, "the page loads its script"
    assert not re.search(r"https?://|//cdn|googleapis", r.text), "no request leaves the intranet"
    for url in urls:
        assert url.startswith("/"), url
        asset = await client.get(url)
        assert asset.status_code == 200, url
        assert len(asset.content) > 1000, url
    # Swagger UI loads the document, whose URL is local too.
    assert "'/openapi.json'" in r.text or '"/openapi.json"' in r.text


async def test_the_openapi_document_declares_the_bearer_scheme_on_the_routes_that_check_one(
    app, client
):
    doc = (await client.get("/openapi.json")).json()
    scheme = doc["components"]["securitySchemes"]["bearer"]
    assert scheme["type"] == "http" and scheme["scheme"] == "bearer"
    assert "API key or OIDC JWT" in scheme["description"]
    for route in api_routes(app.routes):
        if not route.include_in_schema:
            continue
        for method in route.methods:
            operation = doc["paths"][route.path_format][method.lower()]
            expected = [{"bearer": []}] if route_roles(route) is not None else None
            assert operation.get("security") == expected, (method, route.path_format)
    assert "security" not in doc["paths"]["/api/v1/public/appeals/{year}/{number}"]["get"]
    assert doc["paths"]["/api/v1/appeals"]["post"]["security"] == [{"bearer": []}]


async def test_the_main_request_bodies_have_examples_that_are_accepted(client, keys):
    doc = (await client.get("/openapi.json")).json()
    operations = {op["operationId"]: op for ops in doc["paths"].values() for op in ops.values()}
    for operation_id, example in EXAMPLES.items():
        body = operations[operation_id]["requestBody"]["content"]["application/json"]
        assert body["example"] == example, operation_id
        name = operation_id.removeprefix("action_")
        if name in ACTIONS:
            ACTIONS[name].body.model_validate(example)
    AppealCorrection.model_validate(EXAMPLES["correct_appeal_api_v1_appeals__appeal_id__patch"])
    for name in ("resolve", "respond", "send", "extend", "withdraw", "forward", "terminate"):
        assert f"action_{name}" in EXAMPLES, name
    intake = EXAMPLES["create_appeal_api_v1_appeals_post"]
    r = await client.post("/api/v1/appeals", json=intake, headers=auth(keys[Role.REGISTRAR]))
    assert r.status_code == 201, r.text
