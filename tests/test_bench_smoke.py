"""`make bench` keeps working: the benchmark runs end to end on a tiny setting (not timed)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.helpers import REPO

pytestmark = pytest.mark.slow  # starts processes or servers of its own


def test_deadline_watch_benchmark_runs_on_a_tiny_setting(servers):
    env = {**os.environ, "APPEALS_DATABASE_URL": servers.postgres_url}
    done = subprocess.run(
        [sys.executable, "bench/deadline_watch.py", "--large", "400", "--small", "40",
         "--due", "20", "--runs", "1"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert "each run published 10 overdue + 10 reminders" in done.stdout
    assert "ratio large/small (medians):" in done.stdout
