"""`make bench` keeps working: the statistics benchmark runs end to end on a tiny setting."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from tests.helpers import REPO

pytestmark = pytest.mark.slow  # starts processes or servers of its own


def test_stats_benchmark_runs_on_a_tiny_setting(servers, redis_url):
    env = {
        **os.environ,
        "APPEALS_DATABASE_URL": servers.postgres_url,
        "APPEALS_REDIS_URL": redis_url,
    }
    done = subprocess.run(
        [sys.executable, "bench/stats.py", "--large", "2000", "--small", "200", "--runs", "1"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    out = done.stdout
    assert out.count("ratio endpoint/SQL (medians):") == 3
    for title in ("quarter 2025-Q2 by unit,kind", "year 2025 by month,kind", "public summary"):
        assert title in out
    assert re.search(r"ratio large/small \(medians\): [\d.]+; row growth: [\d.]+", out)
