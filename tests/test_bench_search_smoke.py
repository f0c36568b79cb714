"""`make bench` keeps working: the search benchmark (issue 15) runs end to end on a tiny
setting: it seeds, builds every appeal's search documents, and times each query kind."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from tests.helpers import REPO

pytestmark = pytest.mark.slow  # starts processes or servers of its own


def test_search_benchmark_runs_on_a_tiny_setting(servers, redis_url):
    env = {
        **os.environ,
        "APPEALS_DATABASE_URL": servers.postgres_url,
        "APPEALS_REDIS_URL": redis_url,
    }
    done = subprocess.run(
        [sys.executable, "bench/search.py", "--count", "300", "--runs", "1", "--warmups", "0"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    out = done.stdout
    assert re.search(r"search documents built in \d+ s", out)
    assert len(re.findall(r"matched +[\d,]+  p50 +[\d.]+  p95 +[\d.]+  p99 +[\d.]+ ms", out)) == 13
    for relation in ("appeal_search ", "ix_appeal_search_public", "ix_appeal_search_names"):
        assert relation in out
