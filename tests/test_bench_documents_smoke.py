"""`make bench` keeps working: the documents benchmark (R-12.1) runs end to end on a tiny
setting, and the file that went up comes back whole."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from tests.helpers import REPO

pytestmark = pytest.mark.slow  # starts processes or servers of its own


def test_documents_benchmark_runs_on_a_tiny_setting(servers, redis_url):
    env = {
        **os.environ,
        "APPEALS_DATABASE_URL": servers.postgres_url,
        "APPEALS_REDIS_URL": redis_url,
    }
    done = subprocess.run(
        [sys.executable, "bench/documents.py", "--mib", "1", "--large-mib", "2",
         "--concurrency", "2", "--rounds", "1"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    out = done.stdout
    assert out.count("ratio of medians:") == 2
    assert re.search(r"targets: upload [\d.]+ \(>= 0.8\), download [\d.]+ \(>= 0.8\)", out)
    assert re.search(r"memory: one 2 MiB file up and down: API RSS [\d.]+ MiB before", out)
