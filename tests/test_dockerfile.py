"""Issue 18 part 6: the image's API logs as `make api` does (no Docker engine here: the files
are read and compared)."""

from __future__ import annotations

import json
import re
import shlex

from tests.helpers.common import REPO


def _flags(words: list[str]) -> dict[str, str | None]:
    """uvicorn's logging and process options among `words`."""
    out: dict[str, str | None] = {}
    for i, word in enumerate(words):
        if word in ("--log-config", "--workers"):
            out[word] = words[i + 1]
        elif word in ("--no-access-log", "--access-log", "--log-level", "--use-colors"):
            out[word] = None
    return out


def _makefile_api() -> list[str]:
    text = (REPO / "Makefile").read_text(encoding="utf-8")
    target = re.search(r"^api:.*?\n((?:\t.*\n)+)", text, re.MULTILINE)
    assert target is not None, "the Makefile has no api target"
    recipe = target.group(1).replace("\\\n", " ")
    line = next(x for x in recipe.splitlines() if "uvicorn" in x)
    return shlex.split(line.replace("$$", "$"))


def _dockerfile_cmd() -> tuple[list[str], str]:
    text = (REPO / "Dockerfile").read_text(encoding="utf-8")
    cmd = [line for line in text.splitlines() if line.startswith("CMD ")]
    assert len(cmd) == 1, "one CMD"
    argv = json.loads(cmd[0].removeprefix("CMD "))  # exec form: signals reach the process
    if argv[:2] == ["sh", "-c"]:
        assert argv[2].startswith("exec "), "sh must exec uvicorn, or it would not get SIGTERM"
        return shlex.split(argv[2]), text
    return argv, text


def test_dockerfile_cmd_logs_as_make_api_does() -> None:
    make_api, docker_cmd = _makefile_api(), _dockerfile_cmd()[0]
    assert "uvicorn" in docker_cmd and "appeals_api.main:create_app" in docker_cmd
    flags = _flags(make_api)
    assert flags["--log-config"] == "src/appeals_api/ops/log_config.json"
    assert "--no-access-log" in flags
    assert _flags(docker_cmd) == flags


def test_the_log_config_is_in_the_image_at_the_path_the_cmd_names() -> None:
    words, text = _dockerfile_cmd()
    config = words[words.index("--log-config") + 1]
    assert (REPO / config).is_file()
    workdir = re.findall(r"^WORKDIR (\S+)", text, re.MULTILINE)[-1]
    assert workdir == "/app"
    copies = re.findall(r"^COPY (\S+) (\S+)", text, re.MULTILINE)
    # The relative path resolves under WORKDIR, where `COPY src ./src` put the file.
    assert ("src", "./src") in copies
    assert config.startswith("src/")
