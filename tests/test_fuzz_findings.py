"""What schemathesis found (issue 19: every check and the stateful phase, as admin, registrar
and executor), each real finding proved fixed here; fuzz/FINDINGS.md lists the others and why
they are not defects."""

from __future__ import annotations

import pytest

from appeals_api.auth.roles import Role
from tests.helpers import appeal_body, auth

pytestmark = pytest.mark.asyncio

PROBLEM = "application/problem+json"


async def document(client):
    r = await client.get("/openapi.json")
    assert r.status_code == 200
    return r.json()


@pytest.mark.parametrize(
    ("method", "path", "methods"),
    [
        ("OPTIONS", "/api/v1/appeals", {"GET", "POST"}),
        ("PUT", "/api/v1/units", {"GET", "POST"}),
        ("OPTIONS", "/api/v1/calendar/overrides/2026-03-09", {"PUT", "DELETE"}),
        ("DELETE", "/api/v1/appeals/3b8647d8-eac1-478b-9ff6-ba73ea7f0ad2", {"GET", "PATCH"}),
    ],
)
async def test_issue19_fuzz_405_allow_names_every_method_of_the_path(
    client, keys, method, path, methods
):
    # ST205: Starlette's 405 named the methods of the first route whose path matched only.
    r = await client.request(method, path, headers=auth(keys[Role.ADMIN]))
    assert r.status_code == 405
    assert r.headers["content-type"].startswith(PROBLEM)
    allowed = {m.strip() for m in r.headers["Allow"].split(",")}
    assert methods <= allowed, allowed


@pytest.mark.parametrize("body", [b"\xff\xfe{", b"]Q\x9eb", b"\x00"])
async def test_issue19_fuzz_a_json_body_that_is_not_text_is_malformed_json(client, keys, body):
    # ST103: bytes that are not UTF-8 answered FastAPI's English 400 `http_error`.
    r = await client.post(
        "/api/v1/units",
        content=body,
        headers={
            **auth(keys[Role.ADMIN]),
            "Content-Type": "application/json",
            "Accept-Language": "ru",
        },
    )
    assert r.status_code == 400, r.text
    assert r.headers["content-type"].startswith(PROBLEM)
    assert r.json()["code"] == "malformed_json"
    assert r.headers["Content-Language"] == "ru"


async def test_issue19_fuzz_every_error_answer_is_documented_as_problem_json(client):
    # ST105/ST103: FastAPI declared its 422 as application/json (HTTPValidationError) and no
    # 400 where a body can be malformed; every error leaves the API as problem+json.
    doc = await document(client)
    for path, operations in doc["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            if "requestBody" in operation:
                assert "400" in responses, (method, path)
            for status, response in responses.items():
                if status[0] in "45":
                    content = response["content"][PROBLEM]
                    assert content["schema"] == {"$ref": "#/components/schemas/Problem"}, (
                        method, path, status,
                    )  # fmt: skip


@pytest.mark.parametrize("query", ["from=0", "from=2026-03-01&to=1772841600"])
async def test_issue19_fuzz_a_number_is_not_a_date(client, keys, query):
    # ST201: `from=0` was read as seconds since 1970 (1 January 1970) and answered 200.
    r = await client.get(f"/api/v1/public/receptions?{query}")
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith(PROBLEM)
    r = await client.get(f"/api/v1/receptions/schedule?{query}", headers=auth(keys[Role.REGISTRAR]))
    assert r.status_code == 422, r.text


async def test_issue19_fuzz_a_number_is_not_a_date_in_an_action_body(client, keys):
    # ST201: `"sent_on": 0` passed validation (the answer was the If-Match's 412).
    r = await client.post("/api/v1/appeals", json=appeal_body(), headers=auth(keys[Role.REGISTRAR]))
    assert r.status_code == 201, r.text
    r = await client.post(
        f"/api/v1/appeals/{r.json()['id']}/actions/send",
        json={"letter_number": "01-12/345", "sent_on": 0},
        headers={**auth(keys[Role.REGISTRAR]), "If-Match": '"999"'},
    )
    assert r.status_code == 422, r.text
    assert [e["field"] for e in r.json()["errors"]] == ["sent_on"]


@pytest.mark.parametrize("starts_at", [0, 1772424000, "1772424000"])
async def test_issue19_fuzz_a_number_is_not_a_moment(client, keys, starts_at):
    # ST201: `"starts_at": 0` registered a reception on 1 January 1970.
    body = {
        "official_name": "A. Karimov", "official_post": "Deputy chairman", "kind": "personal",
        "starts_at": starts_at, "ends_at": "2026-03-10T12:00:00+05:00", "place": "Room 1",
    }  # fmt: skip
    r = await client.post(
        "/api/v1/receptions/schedule", json=body, headers=auth(keys[Role.REGISTRAR])
    )
    assert r.status_code == 422, r.text
    assert r.json()["code"] == "validation_error"


async def test_issue19_fuzz_document_content_declares_any_detected_type(client):
    # ST105: a PNG came back as image/png where only application/octet-stream was declared.
    doc = await document(client)
    content = doc["paths"]["/api/v1/documents/{document_id}/content"]["get"]["responses"]["200"]
    assert {"application/octet-stream", "*/*"} <= set(content["content"])


async def test_issue19_fuzz_links_chain_a_creation_to_the_operations_on_what_it_made(client):
    # The stateful phase walks OpenAPI links: an appeal made leads to its reads and actions,
    # a document to its content, a webhook to its deliveries; every link names an operation.
    doc = await document(client)
    operations = {
        op["operationId"]: (path, op) for path, ops in doc["paths"].items() for op in ops.values()
    }
    _, create = operations["create_appeal_api_v1_appeals_post"]
    links = create["responses"]["201"]["links"]
    for name in ("get_appeal_api_v1_appeals__appeal_id__get", "action_resolve", "action_join"):
        assert links[name]["parameters"] == {"appeal_id": "$response.body#/id"}
    every = [
        link for _, op in operations.values() for response in op["responses"].values()
        for link in response.get("links", {}).values()
    ]  # fmt: skip
    assert len(every) > 40
    for link in every:
        path, _ = operations[link["operationId"]]
        for parameter in link["parameters"]:
            assert "{" + parameter + "}" in path, (link, path)


async def test_issue19_fuzz_a_get_where_only_post_is_is_405_not_a_bad_id(client, keys):
    # ST204/ST205: GET /receptions/protocols was read as GET /receptions/{reception_id} with
    # the id "protocols" (422), and its 405 advertised that GET.
    r = await client.get("/api/v1/receptions/protocols", headers=auth(keys[Role.REGISTRAR]))
    assert r.status_code == 405, r.text
    assert r.headers["Allow"] == "POST"


async def test_issue19_fuzz_a_number_is_not_a_yes_or_no(client, keys):
    # ST201: `"confidential": 0` and `"working": 0` were read as false and answered 200.
    admin = auth(keys[Role.ADMIN])
    names = {"uz": "Chang", "uz-Cyrl": "Чанг", "ru": "Пыль", "en": "Dust"}
    r = await client.post(
        "/api/v1/topics", json={"code": "97", "names": names, "confidential": 0}, headers=admin
    )
    assert r.status_code == 422, r.text
    assert [e["field"] for e in r.json()["errors"]] == ["confidential"]
    r = await client.post("/api/v1/units", json={"code": "FUZZ-BOOL", "name": "F"}, headers=admin)
    assert r.status_code == 201, r.text
    r = await client.patch("/api/v1/units/FUZZ-BOOL", json={"retired": 1}, headers=admin)
    assert r.status_code == 422, r.text
    assert [e["field"] for e in r.json()["errors"]] == ["retired"]


async def test_issue19_fuzz_a_yes_or_no_is_not_a_number(client, keys):
    # ST201: `"paper": {"attachments": false}` registered an appeal with 0 attachments.
    body = appeal_body(channel="post", form="written", paper={"attachments": False})
    r = await client.post("/api/v1/appeals", json=body, headers=auth(keys[Role.REGISTRAR]))
    assert r.status_code == 422, r.text
    assert [e["field"] for e in r.json()["errors"]] == ["paper.attachments"]


async def test_issue19_fuzz_a_number_is_not_a_yes_or_no_on_a_day_override(client, keys):
    r = await client.put(
        "/api/v1/calendar/overrides/2026-03-09",
        json={"working": 0, "reason": "Fuzz"},
        headers=auth(keys[Role.ADMIN]),
    )
    assert r.status_code == 422, r.text
    assert [e["field"] for e in r.json()["errors"]] == ["working"]
