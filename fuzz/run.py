"""`make fuzz`: schemathesis against the running app's own OpenAPI, as admin and as registrar.

Starts PostgreSQL and Redis (embedded unless APPEALS_DATABASE_URL / APPEALS_REDIS_URL are set:
then a fresh database on that server, dropped after), migrates, makes keys, serves the API with
uvicorn on a free port and runs `st run` once per role with a fixed seed and a bounded number
of examples. Fails on any server error or any response that breaks the schema.

    python fuzz/run.py [--examples 25] [--seed 20261122] [--roles admin,registrar]
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CHECKS = "not_a_server_error,response_schema_conformance"
# This checkout's sources, whichever checkout the virtualenv's editable install points at.
sys.path.insert(0, str(REPO / "src"))

from appeals_api.auth.roles import Role  # noqa: E402 - after the path above
from appeals_api.devstack.scratch import ScratchStack, issue_keys  # noqa: E402


def _fuzz_as(role: str, token: str, base: str, args: argparse.Namespace, cwd: Path) -> bool:
    """One `st run` with `role`'s key; prints its summary (and its output if it failed)."""
    # schemathesis prints a pytest-like "=== N warnings in Ns ===" summary; it stays in
    # a file unless the run fails, so the log's test summary is the suite's own.
    done = subprocess.run(  # noqa: S603
        [str(BIN / "st"), "run", f"{base}/openapi.json",
         "--header", f"Authorization: Bearer {token}",
         "--checks", CHECKS, "--seed", str(args.seed),
         "--max-examples", str(args.examples), "--workers", "1",
         "--phases", "examples,coverage,fuzzing", "--request-timeout", "30",
         "--no-color"],
        cwd=cwd, capture_output=True, text=True, check=False,
    )  # fmt: skip
    cases = next((ln.strip() for ln in done.stdout.splitlines() if " generated, " in ln), "?")
    print(f"fuzz as {role}: {args.examples} examples per operation, seed {args.seed}: "
          f"{cases} (exit {done.returncode})")  # fmt: skip
    if done.returncode != 0:
        print(done.stdout, done.stderr, sep="\n")
    return done.returncode == 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=25)
    parser.add_argument("--seed", type=int, default=20261122)
    parser.add_argument("--roles", default="admin,registrar")
    args = parser.parse_args()
    roles = args.roles.split(",")

    with ScratchStack("appeals-fuzz-") as stack:
        database_url = stack.database(f"appeals_fuzz_{uuid.uuid4().hex[:8]}")
        keys = asyncio.run(issue_keys(database_url, {f"fuzz {role}": Role(role) for role in roles}))
        env = stack.child_env(database_url)
        app = ["appeals_api.main:create_app", "--factory"]
        _, port = stack.serve(app, env, ready_path="/readyz")
        base = f"http://127.0.0.1:{port}"
        failed = [
            role
            for role in roles
            if not _fuzz_as(role, keys[f"fuzz {role}"], base, args, cwd=stack.tmp)
        ]
    if failed:
        print(f"fuzz: failures as {', '.join(failed)}", file=sys.stderr)
        return 1
    print("fuzz: no server errors, no response outside the schema")
    return 0


if __name__ == "__main__":
    sys.exit(main())
