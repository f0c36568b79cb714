"""Issue 18: the CLI works on the database of the environment or of `make run`'s `.data/env`,
and never writes into another instance's database (nor guesses a default port)."""

from __future__ import annotations

import asyncio
import os
import subprocess
from pathlib import Path

import asyncpg
import pytest

from appeals_api import cli
from appeals_api.ops import envfile, instance
from tests.helpers.db import scratch_database, with_database

ENV_KEYS = ("APPEALS_DATABASE_URL", "APPEALS_REDIS_URL")


async def _key_names(url: str) -> list[str]:
    conn = await asyncpg.connect(url)
    try:
        return [r["name"] for r in await conn.fetch("SELECT name FROM api_keys ORDER BY name")]
    finally:
        await conn.close()


@pytest.fixture
def no_urls(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """The shell of a developer who set no URL; `make run`'s data dir is tmp_path."""
    for key in ENV_KEYS:
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("APPEALS_DEV_DATA_DIR", str(tmp_path))
    return tmp_path / envfile.ENV_FILE


def _write_env(path: Path, url: str, instance_id: str, pid: int | None = None) -> None:
    envfile.write(
        path,
        {
            "APPEALS_DATABASE_URL": url,
            "APPEALS_REDIS_URL": "redis://127.0.0.1:1/0",
            "APPEALS_INSTANCE_ID": instance_id,
            "APPEALS_DEVSTACK_PID": str(pid or os.getpid()),
        },
    )


def _create_key(name: str) -> int:
    return cli.main(["keys", "create", "--name", name, "--role", "intake"])


def test_cli_without_url_or_env_file_refuses_instead_of_guessing_a_default_port(
    servers, no_urls: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _create_key("guessed") == 2
    err = capsys.readouterr().err
    assert "make run" in err and "APPEALS_DATABASE_URL" in err and str(no_urls) in err
    assert "55432" not in err


def test_cli_writes_through_env_file_into_the_database_make_run_marked(
    servers, no_urls: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with scratch_database(servers.postgres_url, "cli_ours", template=servers.template) as ours:
        marked = asyncio.run(instance.claim(ours))
        assert asyncio.run(instance.claim(ours)) == marked  # a second run keeps the id
        _write_env(no_urls, ours, marked)
        assert _create_key("through env file") == 0
        captured = capsys.readouterr()
        assert f"(from {no_urls})" in captured.err  # the source, on stderr
        assert captured.out.strip().splitlines()[-1].startswith("apk_")
        assert asyncio.run(_key_names(ours)) == ["through env file"]


def test_cli_never_writes_into_another_instances_database_on_that_port(
    servers, no_urls: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`.data/env` names a URL where now another instance listens: nothing is written there."""
    with (
        scratch_database(servers.postgres_url, "cli_ours", template=servers.template) as ours,
        scratch_database(servers.postgres_url, "cli_other", template=servers.template) as other,
    ):
        ours_id = asyncio.run(instance.claim(ours))
        asyncio.run(instance.claim(other))
        _write_env(no_urls, other, ours_id)
        assert _create_key("astray") == 2
        assert "not the database" in capsys.readouterr().err
        assert asyncio.run(_key_names(other)) == []

        unmarked = with_database(other, "postgres")  # a database nobody marked
        _write_env(no_urls, unmarked, ours_id)
        assert _create_key("astray") == 2
        assert "(none)" in capsys.readouterr().err


def test_cli_refuses_an_env_file_left_by_a_stopped_run(
    servers, no_urls: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with scratch_database(servers.postgres_url, "cli_stale", template=servers.template) as url:
        _write_env(no_urls, url, asyncio.run(instance.claim(url)), pid=2**22 + 12345)
        assert _create_key("stale") == 2
        assert "stale" in capsys.readouterr().err
        assert asyncio.run(_key_names(url)) == []


def test_cli_environment_wins_over_the_env_file(
    servers, no_urls: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with (
        scratch_database(servers.postgres_url, "cli_env", template=servers.template) as chosen,
        scratch_database(servers.postgres_url, "cli_file", template=servers.template) as filed,
    ):
        _write_env(no_urls, filed, asyncio.run(instance.claim(filed)))
        monkeypatch.setenv("APPEALS_DATABASE_URL", chosen)
        assert _create_key("from environment") == 0
        assert "(from the environment)" in capsys.readouterr().err
        assert asyncio.run(_key_names(chosen)) == ["from environment"]
        assert asyncio.run(_key_names(filed)) == []


def test_env_file_is_shell_sourceable_and_removed_only_by_its_writer(tmp_path: Path) -> None:
    path = tmp_path / "env"
    envfile.write(path, {"APPEALS_DATABASE_URL": "postgresql://u:p w@h:1/d", "X": "a'b"})
    assert envfile.read(path) == {"APPEALS_DATABASE_URL": "postgresql://u:p w@h:1/d", "X": "a'b"}
    shown = subprocess.run(
        ["sh", "-c", f'. "{path}"; printf %s "$X|$APPEALS_DATABASE_URL"'],
        capture_output=True,
        text=True,
        check=True,
    )
    assert shown.stdout == "a'b|postgresql://u:p w@h:1/d"
    envfile.write(path, {"APPEALS_DEVSTACK_PID": "1"})
    envfile.remove(path, pid=2)  # another run's file stays
    assert path.exists()
    envfile.remove(path, pid=1)
    assert not path.exists()
    assert list(tmp_path.iterdir()) == []  # no staging file left behind
