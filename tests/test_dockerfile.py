"""Issue 18 part 6, issue 19 item 5: the image's API is served as `make api` serves it, by the
one command line `appeals_api.serving` builds: its logging and its connection limits (no Docker
engine here: the files are read and compared)."""

from __future__ import annotations

import json
import re
import shlex
import tomllib

from appeals_api import serving
from appeals_api.config import Settings
from appeals_api.ops import jsonlog
from tests.helpers.common import REPO


def _makefile_api() -> list[str]:
    text = (REPO / "Makefile").read_text(encoding="utf-8")
    target = re.search(r"^api:.*?\n((?:\t.*\n)+)", text, re.MULTILINE)
    assert target is not None, "the Makefile has no api target"
    recipe = target.group(1).replace("\\\n", " ")
    line = next(x for x in recipe.splitlines() if "appeals_api" in x and "exec" in x)
    return shlex.split(line.replace("$$", "$"))


def _dockerfile_cmd() -> tuple[list[str], str]:
    text = (REPO / "Dockerfile").read_text(encoding="utf-8")
    cmd = [line for line in text.splitlines() if line.startswith("CMD ")]
    assert len(cmd) == 1, "one CMD"
    argv = json.loads(cmd[0].removeprefix("CMD "))  # exec form: signals reach the process
    assert isinstance(argv, list) and argv[:2] != ["sh", "-c"], "exec form, no shell"
    return argv, text


def _served_module(words: list[str]) -> str:
    return words[words.index("-m") + 1]


def test_issue19_5_the_dockerfile_and_make_api_serve_through_appeals_api_serving() -> None:
    make_api, (docker_cmd, _) = _makefile_api(), _dockerfile_cmd()
    assert _served_module(make_api) == _served_module(docker_cmd) == "appeals_api.serving"
    # Nothing of uvicorn's own on either line: `serving` is the one place its options are built.
    assert not any(word.startswith("--") and word not in ("--host", "--port") for word in make_api)
    assert not any(
        word.startswith("--") and word not in ("--host", "--port") for word in docker_cmd
    )
    assert docker_cmd[docker_cmd.index("--host") + 1] == "0.0.0.0"


def test_served_logs_json_lines_without_uvicorns_access_log() -> None:
    words = serving.uvicorn_args(Settings(), host="127.0.0.1", port=8000)
    assert words[0] == "appeals_api.main:create_app" and "--factory" in words
    assert words[words.index("--log-config") + 1] == str(jsonlog.LOG_CONFIG)
    assert "--no-access-log" in words


def test_the_log_config_is_in_the_image_as_package_data() -> None:
    _, text = _dockerfile_cmd()
    # `pip install .` of the copied sources installs the package with its data files, where
    # jsonlog.LOG_CONFIG (next to jsonlog.py) finds it.
    assert ("src", "./src") in re.findall(r"^COPY (\S+) (\S+)", text, re.MULTILINE)
    assert re.search(r"^RUN pip install \. ", text, re.MULTILINE)
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    data = project["tool"]["setuptools"]["package-data"]["appeals_api"]
    assert "ops/log_config.json" in data
    assert jsonlog.LOG_CONFIG == REPO / "src/appeals_api/ops/log_config.json"
    assert jsonlog.LOG_CONFIG.is_file()
