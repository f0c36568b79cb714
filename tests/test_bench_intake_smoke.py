"""`make bench` keeps working: the intake benchmark (issue 7) runs end to end on a tiny
setting against the suite's servers. Not timed: it only has to print its ratios."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.conftest import REPO


def test_intake_benchmark_runs_on_a_tiny_setting(servers):
    env = {
        **os.environ,
        "APPEALS_DATABASE_URL": servers.database_url,
        "APPEALS_REDIS_URL": servers.redis_url,
    }
    done = subprocess.run(
        [sys.executable, "bench/intake.py", "--seconds", "0.3", "--rounds", "1",
         "--concurrency", "2", "--list-rows", "300"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert "ratio of medians: throughput" in done.stdout
    assert "unexpected answers" not in done.stdout  # every request got the answer it expects
    assert "targets: intake throughput" in done.stdout
