"""Observability (issue 7 part 4): GET /metrics for Prometheus, the request id, and the one JSON
access line per request, which never carries a query string, a key or personal data (R-8)."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
from fastapi import FastAPI
from prometheus_client.metrics_core import Metric
from prometheus_client.openmetrics.parser import (
    text_string_to_metric_families as openmetrics_families,
)
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr
from sqlalchemy import func, select, text

from appeals_api import serving
from appeals_api.appeals.models import AppealDeadline
from appeals_api.auth.roles import Role
from appeals_api.events import service as events_service
from appeals_api.events import webhook_service
from appeals_api.events.models import Event
from appeals_api.main import create_app
from appeals_api.ops.jsonlog import JsonFormatter
from appeals_api.ops.requestlog import RequestIdFilter
from tests.helpers import REPO, appeal_body, at_tashkent, auth

APPEAL = "/api/v1/appeals/{appeal_id}"
LOOKUP = "/api/v1/public/appeals/{year}/{number}"
GENERATED = re.compile(r"[0-9a-f]{32}")


async def scrape(client: httpx.AsyncClient, **headers: str) -> dict[str, Metric]:
    r = await client.get("/metrics", headers=headers)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/plain")
    return {f.name: f for f in text_string_to_metric_families(r.text)}


def sample(families: dict[str, Metric], name: str, **labels: str) -> float | None:
    family = families[re.sub(r"(_total|_bucket|_count|_sum)$", "", name)]
    for s in family.samples:
        if s.name == name and all(s.labels.get(k) == v for k, v in labels.items()):
            return s.value
    return None


async def test_metrics_count_a_request_under_its_route_template_method_and_status(client, keys):
    """Issue 7: the route template labels the series, never the raw path (ids would multiply
    the series); requests no route took share one label; every histogram bucket is there."""
    appeal_id = str(uuid.uuid4())
    r = await client.get(f"/api/v1/appeals/{appeal_id}", headers=auth(keys[Role.REGISTRAR]))
    assert r.status_code == 404
    assert (await client.get(f"/no/such/{appeal_id}")).status_code == 404
    families = await scrape(client)
    total = "appeals_http_requests_total"
    assert sample(families, total, route=APPEAL, method="GET", status="404") == 1
    assert sample(families, total, route="unmatched", method="GET", status="404") == 1
    routes = {s.labels["route"] for s in families["appeals_http_requests"].samples}
    assert not any(appeal_id in route for route in routes)

    hist = "appeals_http_request_duration_seconds"
    buckets = [
        s
        for s in families[hist].samples
        if s.name == f"{hist}_bucket" and s.labels["route"] == APPEAL
    ]
    les = [s.labels["le"] for s in buckets]
    assert les[-1] == "+Inf" and {"0.005", "0.1", "1.0", "30.0"} <= set(les)
    counts = [s.value for s in buckets]
    assert counts == sorted(counts) and counts[-1] == 1  # cumulative, one observation
    assert sample(families, f"{hist}_count", route=APPEAL, method="GET") == 1
    assert (sample(families, f"{hist}_sum", route=APPEAL, method="GET") or 0) > 0
    assert sample(families, "process_cpu_seconds_total") is not None


async def test_R_1_8_intake_counts_registered_appeals_not_their_replays(client, keys):
    """`appeals_intake_registered_total` counts new appeals: a client's retry with the same
    Idempotency-Key is answered 201 again but registers nothing, so it is not counted."""
    h = {**auth(keys[Role.INTAKE]), "Idempotency-Key": f"obs-{uuid.uuid4()}"}
    first = await client.post("/api/v1/appeals", json=appeal_body(), headers=h)
    again = await client.post("/api/v1/appeals", json=appeal_body(), headers=h)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers["idempotent-replayed"] == "true"
    families = await scrape(client)
    assert sample(families, "appeals_intake_registered_total") == 1
    total = "appeals_http_requests_total"
    assert sample(families, total, route="/api/v1/appeals", method="POST", status="201") == 2


async def test_R_9_1_backlog_and_overdue_gauges_are_read_from_postgresql_at_the_scrape(
    app, client, keys, clock
):
    """Before/after one intake: its outbox event is unsequenced until the worker's step, its
    open deadlines are overdue a year later, and fan-out makes pending webhook deliveries."""
    admin = auth(keys[Role.ADMIN])
    sub = await client.post(
        "/api/v1/webhooks",
        json={"url": "http://127.0.0.1:9/hook", "secret": "x" * 16},
        headers=admin,
    )
    assert sub.status_code == 201, sub.text
    later = at_tashkent(2027, 6, 1)
    try:
        clock.set(later)
        before = await scrape(client)
        assert sample(before, "appeals_metrics_database_up") == 1
        clock.set(at_tashkent(2026, 3, 2))
        r = await client.post(
            "/api/v1/appeals", json=appeal_body(), headers=auth(keys[Role.REGISTRAR])
        )
        assert r.status_code == 201
        appeal_id = uuid.UUID(r.json()["id"])
        async with app.state.sessionmaker() as session:
            new_events = await session.scalar(
                select(func.count())
                .select_from(Event)
                .where(Event.appeal_id == appeal_id, Event.feed_id.is_(None))
            )
            open_deadlines = await session.scalar(
                select(func.count())
                .select_from(AppealDeadline)
                .where(AppealDeadline.appeal_id == appeal_id, AppealDeadline.done_on.is_(None))
            )
        assert new_events and open_deadlines  # the test can fail
        clock.set(later)
        after = await scrape(client)
        for name, added in (
            ("appeals_outbox_unsequenced_events", new_events),
            ("appeals_deadlines_overdue", open_deadlines),
        ):
            assert sample(after, name) == (sample(before, name) or 0) + added, name

        async with app.state.sessionmaker() as session, session.begin():
            await events_service.sequence_pending(session)
            made = await webhook_service.fan_out(session, now=later)
        assert made >= 1
        sequenced = await scrape(client)
        assert sample(sequenced, "appeals_outbox_unsequenced_events") == 0
        pending = "appeals_webhook_deliveries_unacknowledged"
        assert (
            sample(sequenced, pending, status="pending")
            == (sample(after, pending, status="pending") or 0) + made
        )
        assert sample(sequenced, "appeals_directum_dispatches_unacknowledged", status="failed") == 0
    finally:
        await client.delete(f"/api/v1/webhooks/{sub.json()['id']}", headers=admin)


@asynccontextmanager
async def served(settings, clock, **overrides) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    """An app of its own with other settings; an app's exception comes back as its answer."""
    app = create_app(settings.model_copy(update=overrides), clock)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
            yield app, c


async def test_metrics_can_require_a_scrape_token_or_be_turned_off(settings, clock):
    """Who reads /metrics: anyone who reaches it, unless APPEALS_METRICS_TOKEN is set (then a
    bearer token) or APPEALS_METRICS_ENABLED=false (then there is no such route)."""
    async with served(settings, clock, metrics_token=SecretStr("scrape-token-1")) as (_, c):
        assert (await c.get("/metrics")).status_code == 401
        wrong = await c.get("/metrics", headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401
        assert wrong.headers["content-type"].startswith("application/problem+json")
        assert await scrape(c, Authorization="Bearer scrape-token-1")
        om = await c.get(
            "/metrics",
            headers={
                "Authorization": "Bearer scrape-token-1",
                "Accept": "application/openmetrics-text",
            },
        )
        assert om.headers["content-type"].startswith("application/openmetrics-text")
        assert {f.name for f in openmetrics_families(om.text)} >= {"appeals_http_requests"}
    async with served(settings, clock, metrics_enabled=False) as (_, c):
        assert (await c.get("/metrics")).status_code == 404


async def test_metrics_answer_when_postgresql_is_too_slow(settings, clock):
    """The gauges' read is bounded: while a lock holds the deadlines table the scrape still
    answers in time, with `appeals_metrics_database_up 0` and no stale gauge; once the lock is
    gone the next scrape reads them again (the connection that gave up was not left broken)."""
    async with served(settings, clock, metrics_db_timeout_seconds=0.3) as (app, c):
        async with app.state.sessionmaker() as locker, locker.begin():
            await locker.execute(text("LOCK TABLE appeal_deadlines IN ACCESS EXCLUSIVE MODE"))
            started = time.monotonic()
            families = await scrape(c)
            assert time.monotonic() - started < 2
        assert sample(families, "appeals_metrics_database_up") == 0
        assert "appeals_deadlines_overdue" not in families
        again = await scrape(c)
        assert sample(again, "appeals_metrics_database_up") == 1
        assert sample(again, "appeals_deadlines_overdue") is not None


async def test_a_sane_request_id_is_echoed_a_bad_one_replaced_and_a_missing_one_made(client):
    ok = await client.get("/healthz", headers={"X-Request-ID": "edge-42.a_B-7"})
    assert ok.headers["x-request-id"] == "edge-42.a_B-7"
    for bad in ("two words", "x" * 129, "new\\line", "", "ünï"):
        r = await client.get("/healthz", headers={"X-Request-ID": bad.encode("utf-8")})
        assert GENERATED.fullmatch(r.headers["x-request-id"]), bad
    made = [(await client.get("/healthz")).headers["x-request-id"] for _ in range(2)]
    assert all(GENERATED.fullmatch(m) for m in made) and made[0] != made[1]


async def test_problem_answers_carry_the_request_id_404_422_413_503_500(
    client, keys, settings, clock
):
    """Every response: the router's 404, a validation 422, the body limit's 413, the time-out's
    503 and an unexpected error's 500 (answered by the middleware, outside the app's handlers)."""
    h = {"X-Request-ID": "rid-problem"}
    answers = [
        await client.get("/api/v1/nothing-here", headers=h),
        await client.get(
            f"/api/v1/appeals/{uuid.uuid4()}", headers={**h, **auth(keys[Role.REGISTRAR])}
        ),
        await client.post(
            "/api/v1/appeals", json={"kind": "?"}, headers={**h, **auth(keys[Role.REGISTRAR])}
        ),
        await client.post(
            "/api/v1/appeals", content=b"{}", headers={**h, "Content-Length": str(10**9)}
        ),
    ]
    assert [a.status_code for a in answers] == [404, 404, 422, 413]

    async def trickle() -> AsyncIterator[bytes]:
        yield b"{"
        await asyncio.sleep(0.5)
        yield b"}"

    async with served(settings, clock, request_timeout_seconds=0.05) as (app, c):
        answers.append(await c.post("/api/v1/appeals", content=trickle(), headers=h))

        async def boom() -> None:
            raise RuntimeError("unexpected")

        app.add_api_route("/boom", boom)
        answers.append(await c.get("/boom", headers=h))
    assert [a.status_code for a in answers[4:]] == [503, 500]
    for a in answers:
        assert a.headers["content-type"].startswith("application/problem+json"), a.status_code
        assert a.headers["x-request-id"] == "rid-problem", a.status_code


async def test_R_8_1_access_line_has_id_route_and_status_never_the_query_or_path(
    client, keys, caplog
):
    """One INFO line per request: request id, method, route template, status, duration, the
    principal's key id; never the query string (the tracking code travels there), the raw
    path, a key or a body."""
    caplog.set_level(logging.INFO, logger="appeals_api.access")
    r = await client.get(
        "/api/v1/public/appeals/2026/4242",
        params={"code": "SECRETCODE77"},
        headers={"X-Request-ID": "rid-lookup"},
    )
    assert r.status_code in (404, 422)
    key = keys[Role.REGISTRAR]
    await client.get("/api/v1/appeals", params={"q": "Karimov"}, headers=auth(key))
    lines = [
        json.loads(JsonFormatter().format(rec))
        for rec in caplog.records
        if rec.name == "appeals_api.access"
    ]
    lookup = next(line for line in lines if line["request_id"] == "rid-lookup")
    assert lookup["route"] == LOOKUP
    assert lookup["status"] == r.status_code
    assert lookup["method"] == "GET" and lookup["level"] == "info"
    assert lookup["principal_id"] is None and lookup["duration_ms"] >= 0
    listed = lines[-1]
    assert listed["route"] == "/api/v1/appeals" and uuid.UUID(listed["principal_id"])
    text = caplog.text + json.dumps(lines)
    for secret in ("SECRETCODE77", "code=", "2026/4242", "Karimov", key):
        assert secret not in text, secret


async def test_every_line_logged_during_a_request_carries_its_id(client, keys, caplog):
    """The contextvar and the handler filter: a domain line of the request (the webhook
    service's) gets the same id as the access line and the response header."""
    caplog.set_level(logging.INFO)
    caplog.handler.addFilter(RequestIdFilter())
    admin = auth(keys[Role.ADMIN])
    r = await client.post(
        "/api/v1/webhooks",
        json={"url": "http://127.0.0.1:9/hook", "secret": "y" * 16},
        headers={**admin, "X-Request-ID": "rid-webhook"},
    )
    assert r.status_code == 201
    await client.delete(f"/api/v1/webhooks/{r.json()['id']}", headers=admin)
    created = next(
        rec for rec in caplog.records if rec.getMessage() == "webhook subscription created"
    )
    assert getattr(created, "request_id", None) == "rid-webhook"
    deleted = next(
        rec for rec in caplog.records if rec.getMessage() == "webhook subscription deleted"
    )
    assert GENERATED.fullmatch(deleted.request_id)  # the next request, its own id
    logging.getLogger("appeals_api.test").info("outside any request")
    assert not hasattr(caplog.records[-1], "request_id")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.slow
def test_R_8_1_served_api_logs_json_lines_with_request_ids_and_no_uvicorn_access_log(settings):
    """As `make api` serves it (`appeals_api.serving`: uvicorn --log-config
    ops/log_config.json --no-access-log):
    every stderr line is JSON, the access line is the API's own, the query string is nowhere."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("APPEALS_")}
    env |= {"APPEALS_DATABASE_URL": settings.database_url, "APPEALS_REDIS_URL": settings.redis_url}
    cmd = serving.serve_command("127.0.0.1", port)  # as every launcher serves it
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=err, stderr=subprocess.STDOUT)
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 30
            while True:
                try:
                    httpx.get(f"{base}/healthz", timeout=1)
                    break
                except httpx.TransportError:
                    assert proc.poll() is None and time.monotonic() < deadline, "no API"
                    time.sleep(0.1)
            r = httpx.get(
                f"{base}/api/v1/public/appeals/2026/4243?code=SECRETCODE88",
                headers={"X-Request-ID": "rid-served"},
            )
            assert r.headers["x-request-id"] == "rid-served"
            assert httpx.get(f"{base}/metrics").status_code == 200
        finally:
            proc.terminate()
            proc.wait(20)
        err.seek(0)
        output = err.read().decode()
    lines = [json.loads(line) for line in output.splitlines() if line.strip()]
    assert any(line["logger"].startswith("uvicorn") for line in lines)  # uvicorn's own, as JSON
    access = [line for line in lines if line["logger"] == "appeals_api.access"]
    served = next(line for line in access if line.get("request_id") == "rid-served")
    assert (served["route"], served["status"]) == (LOOKUP, r.status_code)
    assert {line["route"] for line in access} >= {"/healthz", "/metrics"}
    assert "SECRETCODE88" not in output and "HTTP/1.1" not in output


async def test_an_unexpected_error_is_logged_once_with_its_request_id_and_not_raised_out(
    settings, clock, caplog
):
    """Issue 19 (10): the error was logged by the app and again by the server it was raised
    out to. Now the app logs it once, with the request's id and traceback, answers the 500
    problem, and raises nothing further (what a server would log a second time)."""
    caplog.set_level(logging.INFO)
    caplog.handler.addFilter(RequestIdFilter())  # as the log config does
    app = create_app(settings, clock)

    async def boom() -> None:
        raise RuntimeError("unexpected")

    async with app.router.lifespan_context(app):
        app.add_api_route("/boom", boom)
        # raise_app_exceptions=True: an exception out of the app fails this request.
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=True)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
            caplog.clear()
            r = await c.get("/boom", headers={"X-Request-ID": "rid-boom"})
    assert r.status_code == 500 and r.json()["code"] == "internal_error"
    errors = [rec for rec in caplog.records if rec.levelno >= logging.ERROR]
    assert len(errors) == 1, [(e.name, e.getMessage()) for e in errors]
    assert errors[0].exc_info is not None and "unexpected" in str(errors[0].exc_info[1])
    assert getattr(errors[0], "request_id", None) == "rid-boom"
