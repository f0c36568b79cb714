"""The authorization matrix (issue 5, OWASP API1/API5): every operation of the OpenAPI document,
called with every role and with no key, answers as the table below declares — 401 without a
key, 403 for a role not listed, neither for one listed. A new operation with no row fails."""

from __future__ import annotations

import uuid
from typing import Any

from appeals_api.auth.roles import Role
from tests.helpers import appeal_body, auth

A, IN, R, M, E, S, N, D = (
    Role.ADMIN,
    Role.INTAKE,
    Role.REGISTRAR,
    Role.MANAGER,
    Role.EXECUTOR,
    Role.SUPERVISOR,
    Role.ANALYST,
    Role.DIRECTUM,
)
PUBLIC = "public"
EVERYONE = frozenset(Role)
READERS = frozenset({R, M, S, E})  # appeals: never admin, intake, analyst, directum
ACTION = "/api/v1/appeals/{appeal_id}/actions/"

# The policy, written out once (README "API keys and roles"), not derived from the code.
MATRIX: dict[tuple[str, str], frozenset[Role] | str] = {
    ("GET", "/healthz"): PUBLIC,
    ("GET", "/readyz"): PUBLIC,
    ("GET", "/api/v1/public/appeals/{year}/{number}"): PUBLIC,
    ("GET", "/status"): PUBLIC,  # the applicant's page
    ("POST", "/status"): PUBLIC,
    ("GET", "/api/v1/public/summary"): PUBLIC,
    ("GET", "/metrics"): PUBLIC,  # scrapers; a token or off by setting (issue 7)
    ("POST", "/api/v1/appeals"): frozenset({IN, R}),
    ("GET", "/api/v1/appeals"): READERS,
    ("GET", "/api/v1/appeals/by-number/{year}/{number}"): READERS,
    ("GET", "/api/v1/appeals/{appeal_id}"): READERS,
    ("GET", "/api/v1/appeals/{appeal_id}/history"): READERS,
    ("GET", "/api/v1/appeals/{appeal_id}/actions"): READERS,
    ("GET", "/api/v1/appeals/{appeal_id}/card"): READERS,
    ("GET", "/api/v1/appeals/{appeal_id}/letters"): READERS,
    # how the applicant's notices went; executors need not see where applicants are told.
    ("GET", "/api/v1/appeals/{appeal_id}/notices"): frozenset({R, M, S}),
    # suggestions say whose phone or name another appeal carries.
    ("GET", "/api/v1/appeals/{appeal_id}/similar"): frozenset({R, M}),
    ("GET", "/api/v1/letters/{letter_id}"): READERS,
    ("PATCH", "/api/v1/appeals/{appeal_id}"): frozenset({R, M}),
    ("POST", "/api/v1/appeals/{appeal_id}/card/link"): READERS,
    ("POST", "/api/v1/links"): READERS,
    ("POST", ACTION + "resolve"): frozenset({M}),
    ("POST", ACTION + "dispatch"): frozenset({R}),
    ("POST", ACTION + "accept"): frozenset({E}),
    ("POST", ACTION + "record_measure"): frozenset({E, R}),
    ("POST", ACTION + "record_measure_result"): frozenset({E, R}),
    ("POST", ACTION + "respond"): frozenset({E}),
    ("POST", ACTION + "return_for_revision"): frozenset({M}),
    ("POST", ACTION + "sign"): frozenset({M}),
    ("POST", ACTION + "send"): frozenset({R}),
    ("POST", ACTION + "remove_from_control"): frozenset({M, R}),
    ("POST", ACTION + "extend"): frozenset({M}),
    ("POST", ACTION + "shorten"): frozenset({M}),
    ("POST", ACTION + "notify_study"): frozenset({R}),
    ("POST", ACTION + "withdraw"): frozenset({R}),
    ("POST", ACTION + "forward"): frozenset({R}),
    ("POST", ACTION + "return"): frozenset({R}),
    ("POST", ACTION + "leave_without_consideration"): frozenset({M}),
    ("POST", ACTION + "terminate"): frozenset({M}),
    ("POST", ACTION + "join"): frozenset({R}),
    ("POST", ACTION + "answer_duplicate"): frozenset({R}),
    ("POST", ACTION + "request_clarification"): frozenset({R}),
    ("POST", ACTION + "send_clarification"): frozenset({R}),
    ("POST", ACTION + "restore_term"): frozenset({M}),  # §16, R-3.5
    ("POST", ACTION + "send_envelope_report"): frozenset({R}),  # §14, R-1.6
    ("GET", "/api/v1/access-log"): frozenset({A, S}),
    ("GET", "/api/v1/calendar/working-days"): EVERYONE,
    ("GET", "/api/v1/calendar/rules"): EVERYONE,
    ("GET", "/api/v1/calendar/deadline"): EVERYONE,
    ("GET", "/api/v1/calendar/overrides"): EVERYONE,
    ("PUT", "/api/v1/calendar/overrides/{day}"): frozenset({A, R}),
    ("DELETE", "/api/v1/calendar/overrides/{day}"): frozenset({A, R}),
    ("GET", "/api/v1/units"): EVERYONE,
    ("POST", "/api/v1/units"): frozenset({A}),
    ("PATCH", "/api/v1/units/{code}"): frozenset({A}),
    # The classifier of questions: read by every key holder, kept by the admin.
    ("GET", "/api/v1/topics"): EVERYONE,
    ("POST", "/api/v1/topics"): frozenset({A}),
    ("PATCH", "/api/v1/topics/{code}"): frozenset({A}),
    ("POST", "/api/v1/topics/{code}/retire"): frozenset({A}),
    ("GET", "/api/v1/reports/control"): frozenset({M, R, S}),
    ("GET", "/api/v1/events"): frozenset({A, R, S}),
    ("GET", "/api/v1/stats"): frozenset({N, M, R, S}),
    ("GET", "/api/v1/reports/quarterly"): frozenset({N, M, R, S}),
    ("GET", "/api/v1/reports/registration-log"): frozenset({M, R, S}),
    ("POST", "/api/v1/webhooks"): frozenset({A}),
    ("GET", "/api/v1/webhooks"): frozenset({A}),
    ("GET", "/api/v1/webhooks/{subscription_id}"): frozenset({A}),
    ("DELETE", "/api/v1/webhooks/{subscription_id}"): frozenset({A}),
    ("GET", "/api/v1/webhooks/{subscription_id}/deliveries"): frozenset({A}),
    ("POST", "/api/v1/webhooks/deliveries/{delivery_id}/redeliver"): frozenset({A}),
    ("POST", "/api/v1/directum/callbacks"): frozenset({D}),
    ("GET", "/api/v1/worker/health"): frozenset({A, S}),
    ("GET", "/api/v1/audit/verify"): frozenset({A, S}),
    ("GET", "/api/v1/audit/heads"): frozenset({A, S}),
    # Documents: added by the Appeals Department, management, a routed unit's
    # executor and the intake systems (to the appeals they registered); read as the appeal is;
    # withdrawn by the Appeals Department and management.
    ("POST", "/api/v1/appeals/{appeal_id}/documents"): frozenset({R, M, E, IN}),
    ("GET", "/api/v1/appeals/{appeal_id}/documents"): READERS,
    ("GET", "/api/v1/documents/{document_id}/content"): READERS,
    ("POST", "/api/v1/documents/{document_id}/withdraw"): frozenset({R, M}),
    # Receptions: the schedule kept by the Appeals Department and the administrators,
    # published without a key; receptions recorded by the Appeals Department (§55), read by
    # it, management and supervisors.
    ("POST", "/api/v1/receptions/schedule"): frozenset({R, A}),
    ("GET", "/api/v1/receptions/schedule"): frozenset({R, A, M, S}),
    ("PATCH", "/api/v1/receptions/schedule/{entry_id}"): frozenset({R, A}),
    ("GET", "/api/v1/public/receptions"): PUBLIC,
    ("GET", "/api/v1/public/receptions.ics"): PUBLIC,
    ("GET", "/api/v1/labels"): PUBLIC,  # the codes' labels: the vocabulary, nobody's data
    ("POST", "/api/v1/receptions"): frozenset({R}),
    ("GET", "/api/v1/receptions"): frozenset({R, M, S}),
    ("GET", "/api/v1/receptions/{reception_id}"): frozenset({R, M, S}),
    ("POST", "/api/v1/receptions/protocols"): frozenset({R}),
    ("GET", "/api/v1/receptions/protocols/{protocol_id}"): frozenset({R, M, S}),
}

QUERY = {
    "code": "WRONGCODE",
    "from": "2026-03-01",
    "to": "2026-03-31",
    "start": "2026-03-02",
    "rule": "answer",
    "year": 2026,
    "quarter": 1,
}


def _operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, op)
        for path, ops in spec["paths"].items()
        for method, op in ops.items()
    ]


def _value(param: dict[str, Any], appeal: dict[str, Any]) -> Any:
    name, schema = param["name"], param.get("schema", {})
    known = {"appeal_id": appeal["id"], "year": appeal["year"], "number": appeal["seq"]}
    if param["in"] == "path" and name in known:
        return known[name]
    if name in QUERY:
        return QUERY[name]
    if schema.get("format") == "date":
        return "2026-03-02"
    if schema.get("format") == "uuid":
        return str(uuid.uuid4())
    if schema.get("type") == "integer":
        return 999_999_999
    return "x"


def test_every_operation_has_a_declared_rule(app):
    operations = {(m, p) for m, p, _ in _operations(app.openapi())}
    assert operations - set(MATRIX) == set(), "operations without a declared rule"
    assert set(MATRIX) - operations == set(), "rules for operations that no longer exist"


async def test_every_operation_with_every_role_answers_as_declared(app, client, keys):
    made = await client.post("/api/v1/appeals", json=appeal_body(), headers=auth(keys[R]))
    appeal = made.json()
    wrong: list[str] = []
    for method, path, op in _operations(app.openapi()):
        params = op.get("parameters", [])
        url = path
        for p in params:
            if p["in"] == "path":
                url = url.replace("{" + p["name"] + "}", str(_value(p, appeal)))
        query = {
            p["name"]: _value(p, appeal) for p in params if p["in"] == "query" and p.get("required")
        }
        rule = MATRIX[(method, path)]
        for who in [None, *Role]:
            headers = auth(keys[who]) if who else {}
            body = {} if method in ("POST", "PUT") else None
            r = await client.request(method, url, params=query, json=body, headers=headers)
            if rule == PUBLIC:
                ok = r.status_code not in (401, 403) and r.status_code < 500
            elif who is None:
                ok = r.status_code == 401
            elif who in rule:
                ok = r.status_code not in (401, 403) and r.status_code < 500
            else:
                ok = r.status_code == 403
            if not ok:
                wrong.append(f"{method} {path} as {who}: {r.status_code}")
    assert wrong == []


# Bodies that pass validation, so the request reaches the object check.
VALID_BODIES: dict[str, dict[str, object]] = {
    "record_measure": {"type": "hearing", "held_on": "2026-03-02", "description": "Heard."},
    "record_measure_result": {"measure_id": 1, "result": "Done.", "result_on": "2026-03-02"},
    "respond": {"outcome": "explained", "text": "An explanation."},
}


async def test_every_appeal_route_hides_a_foreign_appeal_from_an_executor(app, client, keys):
    """Object level (OWASP API1): an appeal not routed to the executor's unit does not exist
    for it — 404 on every route that takes an appeal, where its role is allowed at all."""
    made = await client.post("/api/v1/appeals", json=appeal_body(), headers=auth(keys[R]))
    appeal = made.json()
    checked = 0
    for method, path, _op in _operations(app.openapi()):
        if "{appeal_id}" not in path and "{year}/{number}" not in path:
            continue
        rule = MATRIX[(method, path)]
        if rule == PUBLIC or E not in rule:
            continue
        url = path.replace("{appeal_id}", appeal["id"])
        url = url.replace("{year}", str(appeal["year"])).replace("{number}", str(appeal["seq"]))
        body = VALID_BODIES.get(path.rsplit("/", 1)[-1], {}) if method == "POST" else None
        r = await client.request(method, url, json=body, headers=auth(keys[E]))
        assert r.status_code == 404, f"{method} {path}: {r.status_code}"
        checked += 1
    assert checked >= 9  # read, by number, history, actions, card and four actions
    # It exists: a supervisor, who reaches every appeal, reads it.
    r = await client.get(f"/api/v1/appeals/{appeal['id']}", headers=auth(keys[S]))
    assert r.status_code == 200
