"""Reading appeals back: by id, by number, lists with filters and cursors, history (API.md)."""

from __future__ import annotations

from appeals_api.auth.roles import Role
from appeals_api.clock import FrozenClock
from tests.helpers import appeal_body, at_tashkent, auth


async def _post(client, keys, **overrides):
    r = await client.post(
        "/api/v1/appeals", json=appeal_body(**overrides), headers=auth(keys[Role.REGISTRAR])
    )
    assert r.status_code == 201, r.text
    return r.json()


async def test_read_by_id_and_by_number_returns_what_was_registered(client, keys):
    created = await _post(client, keys)
    h = auth(keys[Role.SUPERVISOR])
    by_id = await client.get(f"/api/v1/appeals/{created['id']}", headers=h)
    assert by_id.status_code == 200
    assert by_id.headers["ETag"] == '"1"'
    by_number = await client.get(
        f"/api/v1/appeals/by-number/{created['year']}/{created['seq']}", headers=h
    )
    for got in (by_id.json(), by_number.json()):
        assert "tracking_code" not in got
        # Shown only in intake's answer: the tracking code, and the suggestions (issue 15).
        expected = {k: v for k, v in created.items() if k not in ("tracking_code", "similar")}
        assert got == expected


async def test_unknown_appeal_is_404_problem(client, keys):
    h = auth(keys[Role.REGISTRAR])
    r = await client.get("/api/v1/appeals/00000000-0000-4000-8000-000000000000", headers=h)
    assert r.status_code == 404 and r.headers["content-type"].startswith("application/problem")
    r = await client.get("/api/v1/appeals/by-number/2026/9999999", headers=h)
    assert r.status_code == 404
    r = await client.get("/api/v1/appeals/not-a-uuid", headers=h)
    assert r.status_code == 422


async def test_list_filters_and_cursor_pagination(client, keys, clock: FrozenClock):
    made = [await _post(client, keys, channel="website") for _ in range(5)]
    made += [await _post(client, keys, channel="post", form="written", kind="proposal")]
    clock.set(at_tashkent(2026, 3, 3))
    made += [await _post(client, keys, channel="helpline", form="oral")]
    h = auth(keys[Role.REGISTRAR])
    window = {"received_from": "2026-03-02", "received_to": "2026-03-03"}
    # The module's other tests register appeals on these days too: look at this test's own.
    mine = {a["seq"] for a in made}

    seen: list[int] = []
    cursor = None
    while True:
        params = {**window, "limit": 2, **({"cursor": cursor} if cursor else {})}
        page = (await client.get("/api/v1/appeals", params=params, headers=h)).json()
        seen += [a["seq"] for a in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen))
    assert [seq for seq in seen if seq in mine] == sorted(mine, reverse=True)

    async def seqs(**params):
        r = await client.get("/api/v1/appeals", params={**window, **params}, headers=h)
        assert r.status_code == 200, r.text
        return {a["seq"] for a in r.json()["items"]} & mine

    assert await seqs(channel="post") == {made[5]["seq"]}
    assert await seqs(kind="proposal") == {made[5]["seq"]}
    assert await seqs(status="registered") == mine
    assert await seqs(received_from="2026-03-03") == {made[6]["seq"]}
    assert await seqs(received_to="2026-03-02") == {a["seq"] for a in made[:6]}
    assert await seqs(unit="NO-SUCH-UNIT") == set()
    assert await seqs(overdue=True) == set()
    # Later the answer deadlines have passed without a response.
    clock.set(at_tashkent(2026, 5, 1))
    assert await seqs(overdue=True) == mine
    assert await seqs(overdue=False) == set()


async def test_list_rejects_bad_cursor_and_limits(client, keys):
    h = auth(keys[Role.REGISTRAR])
    r = await client.get("/api/v1/appeals", params={"cursor": "!!!"}, headers=h)
    assert r.status_code == 400
    r = await client.get("/api/v1/appeals", params={"limit": 1001}, headers=h)
    assert r.status_code == 422
    r = await client.get(
        "/api/v1/appeals",
        params={"received_from": "2026-03-05", "received_to": "2026-03-01"},
        headers=h,
    )
    assert r.status_code == 422


async def test_executor_sees_only_appeals_routed_to_its_unit(client, keys):
    created = await _post(client, keys)
    h = auth(keys[Role.EXECUTOR])
    assert (await client.get(f"/api/v1/appeals/{created['id']}", headers=h)).status_code == 404
    r = await client.get(f"/api/v1/appeals/{created['id']}/history", headers=h)
    assert r.status_code == 404
    r = await client.get(f"/api/v1/appeals/by-number/{created['year']}/{created['seq']}", headers=h)
    assert r.status_code == 404
    listed = await client.get("/api/v1/appeals", headers=h)
    assert created["id"] not in {a["id"] for a in listed.json()["items"]}


async def test_R_8_1_applicant_sees_status_by_number_and_code_without_personal_data(client, keys):
    created = await _post(client, keys)
    url = f"/api/v1/public/appeals/{created['year']}/{created['seq']}"
    r = await client.get(url, params={"code": created["tracking_code"]})
    assert r.status_code == 200, r.text
    got = r.json()
    assert got["number"] == created["number"]
    assert got["status"] == "registered"
    assert got["due_date"] == created["due_date"]
    assert {d["rule"] for d in got["deadlines"]} == {"registration", "answer"}
    text = r.text
    for secret in ("Karimov", "Aziz", "Navoi", "+998", created["id"], "dust"):
        assert secret not in text
    # Codes are case-insensitive for people reading them over the phone.
    r = await client.get(url, params={"code": created["tracking_code"].lower()})
    assert r.status_code == 200

    wrong = await client.get(url, params={"code": "AAAAAAAAAAAA"})
    unknown = await client.get(
        f"/api/v1/public/appeals/{created['year']}/9999999", params={"code": "AAAAAAAAAAAA"}
    )
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.json() == unknown.json()


async def test_out_of_range_query_values_are_422_not_500(client, keys):
    h = auth(keys[Role.REGISTRAR])
    for params in (
        {"received_to": "9999-12-31"},
        {"received_from": "0001-01-01"},
    ):
        r = await client.get("/api/v1/appeals", params=params, headers=h)
        assert r.status_code == 422, (params, r.text)
    created = await _post(client, keys)
    r = await client.get(
        f"/api/v1/appeals/{created['id']}/history", params={"cursor": "9" * 30}, headers=h
    )
    assert r.status_code == 422
    r = await client.get("/api/v1/events", params={"after": 2**64}, headers=auth(keys[Role.ADMIN]))
    assert r.status_code == 422


def test_only_plain_reads_run_without_a_transaction(app):
    """Autocommit is for routes whose statements need no common transaction; the event feed
    (advisory lock) and every action keep theirs."""
    from appeals_api.db import READ_ONLY_ATTR
    from tests.helpers.apps import api_routes

    marked = {
        (m, r.path)
        for r in api_routes(app.routes)
        if getattr(r.endpoint, READ_ONLY_ATTR, False)
        for m in r.methods
    }
    assert marked == {
        ("GET", "/api/v1/appeals"),
        ("GET", "/api/v1/appeals/by-number/{year}/{number}"),
        ("GET", "/api/v1/appeals/{appeal_id}"),
    }


class _CountingPool:
    """The app's plain pool, counting the statements sent through it."""

    def __init__(self, pool):
        self.pool, self.statements = pool, []

    async def fetchrow(self, sql, *args):
        self.statements.append(sql)
        return await self.pool.fetchrow(sql, *args)

    async def fetch(self, sql, *args, **kwargs):
        self.statements.append(sql)
        return await self.pool.fetch(sql, *args, **kwargs)


async def test_read_by_id_and_intake_are_one_statement_and_a_list_runs_in_autocommit(
    app, client, keys, clock, caplog
):
    """Issue 7: the usual read by id and intake are one statement each on the plain pool, in
    PostgreSQL's implicit transaction: no session, no BEGIN/COMMIT round trips (the statement is
    all or nothing, R-2.1). A list runs on an autocommit session: no BEGIN/COMMIT either.
    A registrar's intake reads the suggestions (issue 15) after it, in a statement of their own."""
    import logging

    created = await _post(client, keys)
    pool = app.state.pool = _CountingPool(app.state.pool)
    caplog.set_level(logging.INFO, logger="sqlalchemy.engine")
    logging.getLogger("sqlalchemy.engine").setLevel(logging.INFO)
    try:
        caplog.clear()
        r = await client.get(f"/api/v1/appeals/{created['id']}", headers=auth(keys[Role.REGISTRAR]))
        assert r.status_code == 200 and r.json()["number"] == created["number"]
        read_statements, read_log = list(pool.statements), caplog.text
        pool.statements.clear()
        caplog.clear()
        again = await _post(client, keys)
        intake_statements, intake_log = list(pool.statements), caplog.text
        caplog.clear()
        r = await client.get("/api/v1/appeals", headers=auth(keys[Role.REGISTRAR]))
        assert r.status_code == 200
        list_log = caplog.text
    finally:
        logging.getLogger("sqlalchemy.engine").setLevel(logging.WARNING)
        app.state.pool = pool.pool
    assert len(read_statements) == 1 and read_log == ""
    assert len(intake_statements) == 2 and intake_log == ""
    assert "INSERT INTO appeals" in intake_statements[0]
    assert intake_statements[1].lstrip().startswith("WITH subject AS")  # reads only
    assert again["seq"] == created["seq"] + 1
    # SQLAlchemy logs its BEGIN and COMMIT on an autocommit connection as doing nothing.
    assert "should not BEGIN due to autocommit mode" in list_log
    commits = [line for line in list_log.splitlines() if "COMMIT" in line]
    assert commits and all("has no effect due to autocommit mode" in c for c in commits)
