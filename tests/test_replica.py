"""Issue 18: statistics and reports read from a streaming replica (`APPEALS_DATABASE_REPLICA_URL`),
with its lag in `X-Replica-Lag-Seconds`; everything else from the primary. The module runs its
own primary (embedded) and a real hot standby made from it by `pg_basebackup -R`; pausing the
standby's replay shows which server an answer was read from."""

from __future__ import annotations

import asyncio
import logging
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest

from appeals_api.auth.roles import Role
from appeals_api.config import Settings
from appeals_api.devstack import EmbeddedPostgres
from appeals_api.replica.sessions import LAG_HEADER, replica_lag
from tests.helpers import appeal_body, auth
from tests.helpers.db import create_database, migrate, unique_name
from tests.helpers.pgservers import StreamingReplica

pytestmark = pytest.mark.slow

MARCH = {"from": "2026-03-01", "to": "2026-03-31"}


class Pair:
    """The primary and its standby, and the URLs of the module's database on each."""

    def __init__(self, primary: EmbeddedPostgres, standby: StreamingReplica, name: str) -> None:
        self.primary = primary
        self.standby = standby
        self.primary_url = primary.url_for(name)
        self.standby_url = standby.url_for(name)

    async def _lsn_reached(self, column: str) -> bool:
        primary = await asyncpg.connect(self.primary_url)
        standby = await asyncpg.connect(self.standby_url)
        try:
            target = await primary.fetchval("SELECT pg_current_wal_lsn()")
            return bool(await standby.fetchval(f"SELECT {column}() >= $1::pg_lsn", target))
        finally:
            await primary.close()
            await standby.close()

    async def wait(self, column: str = "pg_last_wal_replay_lsn") -> None:
        """Until the standby received (or replayed) all the primary wrote so far."""
        deadline = time.monotonic() + 30
        while not await self._lsn_reached(column):
            assert time.monotonic() < deadline, f"the standby's {column} did not catch up"
            await asyncio.sleep(0.05)

    async def on_standby(self, sql: str) -> None:
        conn = await asyncpg.connect(self.standby_url)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()


@pytest.fixture(scope="module")
def pair() -> Iterator[Pair]:
    directory = Path(tempfile.mkdtemp(prefix="appeals-replica-"))
    primary = EmbeddedPostgres(directory / "primary", fast=True)
    standby = StreamingReplica(directory / "standby", primary)
    try:
        primary.start()
        name = unique_name("t_replica")
        migrate(create_database(primary.url, name))
        standby.start()
        yield Pair(primary, standby, name)
    finally:
        standby.stop()
        primary.stop()
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(scope="module")
def settings(pair: Pair, redis_url: str) -> Settings:
    """This module's app: the primary, and its standby for statistics and reports."""
    return Settings(
        database_url=pair.primary_url,
        database_replica_url=pair.standby_url,
        redis_url=redis_url,
        gc_freeze=False,
    )


async def _received(client, keys) -> tuple[int, str | None]:
    r = await client.get("/api/v1/stats", params=MARCH, headers=auth(keys[Role.ANALYST]))
    assert r.status_code == 200, r.text
    return r.json()["rows"][0]["received"], r.headers.get(LAG_HEADER)


async def _register(client, keys, **overrides: object) -> str:
    r = await client.post(
        "/api/v1/appeals", json=appeal_body(**overrides), headers=auth(keys[Role.REGISTRAR])
    )
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


async def test_R_10_1_statistics_are_read_from_the_replica_with_its_lag(app, client, keys, pair):
    """A statistic counts what the standby replayed: with replay paused, an appeal registered
    on the primary is listed (primary) but not counted (standby), and the answer's lag grows;
    resumed, it is counted. Everything but statistics and reports reads the primary."""
    await _register(client, keys)
    await pair.wait()
    received, lag = await _received(client, keys)
    assert received == 1
    assert lag is not None and 0 <= float(lag) < 5
    await pair.on_standby("SELECT pg_wal_replay_pause()")
    try:
        await asyncio.sleep(1.1)  # the lag counts from the last replayed commit
        await _register(client, keys)
        await pair.wait("pg_last_wal_receive_lsn")
        # The standby may report its receipt a moment after the primary's flush: the lag shows
        # once the received WAL waits to be replayed (polled, bounded).
        for _ in range(50):
            received, lag = await _received(client, keys)
            assert received == 1  # not replayed yet: read from the standby
            if lag is not None and float(lag) >= 1:
                break
            await asyncio.sleep(0.1)
        assert lag is not None and float(lag) >= 1
        r = await client.get("/api/v1/appeals", headers=auth(keys[Role.REGISTRAR]))
        assert len(r.json()["items"]) == 2 and LAG_HEADER not in r.headers  # the primary
        quarterly = await client.get(
            "/api/v1/reports/quarterly",
            params={"year": 2026, "quarter": 1, "format": "csv"},
            headers=auth(keys[Role.ANALYST]),
        )
        assert quarterly.status_code == 200 and float(quarterly.headers[LAG_HEADER]) >= 1
        assert float(lag) <= await replica_lag(app.state.replica)  # for /readyz
    finally:
        await pair.on_standby("SELECT pg_wal_replay_resume()")
    await pair.wait()
    received, lag = await _received(client, keys)
    assert received == 2
    assert lag is not None and float(lag) < 1


async def test_R_2_2_the_registration_log_reads_the_replica_and_logs_reads_on_the_primary(
    client, keys, pair
):
    """R-8.2: the registrar's read of a confidential applicant in the log is recorded: on the
    primary (a standby refuses writes), while the log itself is read from the standby."""
    appeal = await _register(client, keys, confidential=True)
    await pair.wait()
    r = await client.get(
        "/api/v1/reports/registration-log", params=MARCH, headers=auth(keys[Role.REGISTRAR])
    )
    assert r.status_code == 200, r.text
    assert LAG_HEADER in r.headers
    conn = await asyncpg.connect(pair.primary_url)
    try:
        logged = await conn.fetchval(
            "SELECT count(*) FROM personal_data_access WHERE appeal_id = $1::uuid"
            " AND via = 'registration_log'",
            appeal,
        )
    finally:
        await conn.close()
    assert logged == 1


async def test_R_10_1_reports_fall_back_to_the_primary_when_the_replica_is_down(
    client, keys, pair, caplog
):
    """The standby stopped: statistics and reports answer from the primary (logged), without
    a lag; not a 500. Last in the module: the standby stays down."""
    pair.standby.stop()
    caplog.set_level(logging.WARNING, logger="appeals_api.replica")
    received, lag = await _received(client, keys)
    assert received == 3  # the primary's count
    assert lag is None
    r = await client.get("/api/v1/reports/control", headers=auth(keys[Role.SUPERVISOR]))
    assert r.status_code == 200, r.text
    assert LAG_HEADER not in r.headers
    assert any("replica: not answering" in m for m in caplog.messages)
