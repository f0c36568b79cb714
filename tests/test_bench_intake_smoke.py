"""`make bench` keeps working: the intake benchmark (issues 7 and 12) runs end to end on a tiny
setting against the suite's servers, in both shapes. Not timed: it only has to print its ratios
and the shape it ran."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.helpers import REPO

pytestmark = pytest.mark.slow  # starts processes or servers of its own


@pytest.mark.parametrize(
    ("shape", "worker"),
    [("production", "worker on (arq, pid"), ("fast", "worker off")],
)
def test_intake_benchmark_runs_on_a_tiny_setting(servers, redis_url, shape, worker):
    env = {
        **os.environ,
        "APPEALS_DATABASE_URL": servers.postgres_url,
        "APPEALS_REDIS_URL": redis_url,
    }
    done = subprocess.run(
        [sys.executable, "bench/intake.py", "--shape", shape, "--seconds", "0.3",
         "--rounds", "1", "--concurrency", "2", "--list-rows", "300"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert f"shape {shape}: fsync=" in done.stdout
    assert "concurrency 2; " + worker in done.stdout
    assert "ratio of medians: throughput" in done.stdout
    assert "unexpected answers" not in done.stdout  # every request got the answer it expects
    assert "non-2xx 0 (5xx 0)" in done.stdout
    assert "targets: intake throughput" in done.stdout
    assert "similar p99" in done.stdout  # issue 15: registrar's intake with `similar`
    if shape == "production":
        assert "worker: running to the end" in done.stdout
        assert "target: intake with the index" in done.stdout  # issue 15: built vs paused
