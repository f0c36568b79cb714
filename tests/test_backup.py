"""Issue 18: `appeals-api backup` and `restore` carry everything: appeals, their numbers and
history, documents' bytes, keys; numbering continues gaplessly after a restore (R-2.1)."""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from appeals_api import cli
from appeals_api.auth.roles import Role
from appeals_api.ops import backup
from tests.helpers import appeal_body, auth
from tests.helpers.apps import app_client
from tests.helpers.db import scratch_database_async
from tests.helpers.documents import download, pdf, upload

pytestmark = pytest.mark.slow  # runs pg_dump and pg_restore

SNAPSHOT = {
    "appeals": "SELECT id, year, seq, received_at, version FROM appeals ORDER BY id",
    "history": "SELECT appeal_id, position, action, hash FROM appeal_history ORDER BY id",
    "counters": "SELECT year, last_seq FROM registration_counters ORDER BY year",
    "keys": "SELECT id, key_hash, role FROM api_keys ORDER BY id",
    "documents": "SELECT id, appeal_id, sha256, size, storage_key FROM documents ORDER BY id",
}


async def _snapshot(url: str) -> dict[str, list[Any]]:
    conn = await asyncpg.connect(url)
    try:
        return {name: [tuple(r) for r in await conn.fetch(sql)] for name, sql in SNAPSHOT.items()}
    finally:
        await conn.close()


def _cli(monkeypatch: pytest.MonkeyPatch, url: str, *args: str) -> int:
    monkeypatch.setenv("APPEALS_DATABASE_URL", url)
    return cli.main(list(args))


async def test_R_2_1_backup_and_restore_keep_appeals_history_documents_keys_and_numbering(
    client, settings, clock, keys, servers, tmp_path: Path, monkeypatch, capsys
) -> None:
    registrar = auth(keys[Role.REGISTRAR])
    made = []
    for _ in range(3):
        r = await client.post("/api/v1/appeals", json=appeal_body(), headers=registrar)
        assert r.status_code == 201, r.text
        made.append(r.json())
    data = pdf(700 * 1024)  # several chunks of storage
    document = await upload(client, keys[Role.REGISTRAR], made[0]["id"], data)
    assert document.status_code == 201, document.text
    before = await _snapshot(settings.database_url)
    assert before["history"] and before["documents"] and before["keys"]

    dump = tmp_path / "appeals.dump"
    assert (
        await asyncio.to_thread(
            _cli, monkeypatch, settings.database_url, "backup", "--out", str(dump)
        )
        == 0
    )
    assert dump.stat().st_size > len(data)  # the document's bytes are in it

    refused = await asyncio.to_thread(
        _cli, monkeypatch, settings.database_url, "restore", str(dump)
    )
    assert refused == 2 and "not empty" in capsys.readouterr().err

    async with scratch_database_async(servers.postgres_url, "restored") as restored:
        assert await asyncio.to_thread(_cli, monkeypatch, restored, "restore", str(dump)) == 0
        assert await _snapshot(restored) == before
        assert await asyncio.to_thread(_cli, monkeypatch, restored, "audit", "verify") == 0
        assert "all chains hold" in capsys.readouterr().out

        async with app_client(settings, clock, database_url=restored) as again:
            answer, body = await download(again, keys[Role.REGISTRAR], document.json()["id"])
            assert answer.status_code == 200
            assert hashlib.sha256(body).hexdigest() == hashlib.sha256(data).hexdigest()
            r = await again.post("/api/v1/appeals", json=appeal_body(), headers=registrar)
            assert r.status_code == 201, r.text  # the key works there too
            last = max(int(a["number"].split("/")[0]) for a in made)
            assert r.json()["number"] == f"{last + 1}/{made[0]['number'].split('/')[1]}"


def test_the_tools_get_the_password_apart_from_the_command_line() -> None:
    shown, password = backup._without_password("postgresql://app:s%40cret@db:5432/appeals")
    assert (shown, password) == ("postgresql://app@db:5432/appeals", "s@cret")
    assert backup._without_password("postgresql://app@db/appeals") == (
        "postgresql://app@db/appeals",
        None,
    )
