"""`make fuzz`: schemathesis against the running app's own OpenAPI, as admin, registrar and
executor, with every check and the stateful phase (sequences along the document's links).

Starts PostgreSQL and Redis (embedded unless APPEALS_DATABASE_URL / APPEALS_REDIS_URL are set:
then a fresh database on that server, dropped after), migrates, makes keys (the executor's bound
to a unit of its own, with an appeal routed to it so it has something to read), serves the API
with uvicorn on a free port and runs `st run` once per role with a fixed seed and a bounded
number of examples. Fails on any failed check; fuzz/FINDINGS.md lists what is excluded and why.

    python fuzz/run.py [--examples 15] [--seed 20261122] [--roles admin,registrar,executor]
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import uuid
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
# This checkout's sources, whichever checkout the virtualenv's editable install points at.
sys.path.insert(0, str(REPO / "src"))

from appeals_api.auth import service as auth_service  # noqa: E402 - after the path above
from appeals_api.auth.roles import Role  # noqa: E402
from appeals_api.config import Settings  # noqa: E402
from appeals_api.db import make_engine, make_sessionmaker  # noqa: E402
from appeals_api.devstack.scratch import ScratchStack, issue_keys  # noqa: E402

# The unit the executor's key is bound to; the seeded appeal is routed there.
UNIT = "FUZZ-UNIT"
PHASES = "examples,coverage,fuzzing,stateful"
CONFIG = Path(__file__).resolve().parent / "schemathesis.toml"


async def _executor_key(database_url: str) -> str:
    """A key for the executor of UNIT (the unit exists: the seed made it)."""
    engine = make_engine(Settings(database_url=database_url))
    try:
        async with make_sessionmaker(engine)() as session, session.begin():
            _, token = await auth_service.create_key(
                session, name="fuzz executor", role=Role.EXECUTOR, unit_code=UNIT, expires_at=None
            )
    finally:
        await engine.dispose()
    return token


def _seed(base: str, keys: dict[str, str]) -> None:
    """UNIT, and an appeal routed to it (resolution, dispatch): something the executor reads."""

    def post(role: str, path: str, body: dict[str, object]) -> dict[str, object]:
        r = httpx.post(f"{base}/api/v1{path}", json=body, timeout=30,
                       headers={"Authorization": f"Bearer {keys[role]}"})  # fmt: skip
        r.raise_for_status()
        return dict(r.json())

    post("admin", "/units", {"code": UNIT, "name": "Fuzzed unit"})
    appeal = post("registrar", "/appeals", {
        "kind": "complaint", "form": "electronic", "channel": "website", "language": "uz",
        "text": "The dust from the tailings reaches our street; please take measures.",
        "applicants": [{"type": "individual", "last_name": "Karimov", "first_name": "Aziz",
                        "address": "Almalyk, Navoi street 5"}],
    })  # fmt: skip
    actions = f"/appeals/{appeal['id']}/actions"
    resolution = {"units": [UNIT], "instruction": "Consider and answer.", "study_required": False}
    post("manager", f"{actions}/resolve", resolution)
    post("registrar", f"{actions}/dispatch", {})


def _fuzz_as(role: str, token: str, base: str, args: argparse.Namespace, cwd: Path) -> bool:
    """One `st run` with `role`'s key; prints its summary (and its output if it failed)."""
    # schemathesis prints a pytest-like "=== N warnings in Ns ===" summary; it stays in
    # a file unless the run fails, so the log's test summary is the suite's own.
    done = subprocess.run(  # noqa: S603
        [str(BIN / "st"), "--config-file", str(CONFIG), "run", f"{base}/openapi.json",
         "--header", f"Authorization: Bearer {token}",
         "--checks", "all", "--seed", str(args.seed),
         "--max-examples", str(args.examples), "--workers", "1",
         "--phases", PHASES, "--request-timeout", "30",
         "--no-color"],
        cwd=cwd, capture_output=True, text=True, check=False,
    )  # fmt: skip
    lines = [ln.strip() for ln in done.stdout.splitlines()]
    cases = next((ln for ln in lines if " generated, " in ln), "?")
    links = next((ln.split(":", 1)[1].strip() for ln in lines if ln.startswith("API Links:")), "?")
    print(f"fuzz as {role}: {args.examples} examples per operation, seed {args.seed}: "
          f"{cases}; stateful links {links} (exit {done.returncode})")  # fmt: skip
    if done.returncode != 0 or args.verbose:
        print(done.stdout, done.stderr, sep="\n")
    return done.returncode == 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=15)
    parser.add_argument("--seed", type=int, default=20261122)
    parser.add_argument("--roles", default="admin,registrar,executor")
    parser.add_argument("--verbose", action="store_true", help="print every run's output")
    args = parser.parse_args()
    roles = args.roles.split(",")

    with ScratchStack("appeals-fuzz-") as stack:
        database_url = stack.database(f"appeals_fuzz_{uuid.uuid4().hex[:8]}")
        staff = {role: Role(role) for role in ("admin", "registrar", "manager")}
        keys = asyncio.run(issue_keys(database_url, staff))
        env = stack.child_env(database_url)
        app = ["appeals_api.main:create_app", "--factory"]
        _, port = stack.serve(app, env, ready_path="/readyz")
        base = f"http://127.0.0.1:{port}"
        _seed(base, keys)
        keys["executor"] = asyncio.run(_executor_key(database_url))
        failed = [role for role in roles if not _fuzz_as(role, keys[role], base, args, stack.tmp)]
    if failed:
        print(f"fuzz: failures as {', '.join(failed)}", file=sys.stderr)
        return 1
    print("fuzz: every check passed as " + ", ".join(roles))
    return 0


if __name__ == "__main__":
    sys.exit(main())
