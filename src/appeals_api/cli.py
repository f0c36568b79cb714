"""The `appeals-api` command: API keys, the OpenAPI document, generated appeals."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any, TextIO

from appeals_api import models  # noqa: F401 (every table: foreign keys resolve across domains)
from appeals_api.auth import service as auth_service
from appeals_api.auth.roles import Role
from appeals_api.cli_backup import add_backup
from appeals_api.clock import system_clock
from appeals_api.config import Settings
from appeals_api.db import make_engine, make_pool, make_sessionmaker
from appeals_api.errors import AppError
from appeals_api.ops.target import Refused, settings_for_cli


async def _keys_create(args: argparse.Namespace) -> int:
    engine = make_engine(await settings_for_cli(writes=True))
    now = system_clock()
    try:
        async with make_sessionmaker(engine)() as session, session.begin():
            key, token = await auth_service.create_key(
                session,
                name=args.name,
                role=Role(args.role),
                unit_code=args.unit,
                expires_at=now + timedelta(days=args.expires_in_days)
                if args.expires_in_days
                else None,
            )
    finally:
        await engine.dispose()
    print(f"created key {key.id} name={key.name!r} role={key.role} unit={key.unit_code or '-'}")
    print("the key is shown once; store it now:")
    print(token)
    return 0


async def _keys_list(_: argparse.Namespace) -> int:
    engine = make_engine(await settings_for_cli(writes=False))
    try:
        async with make_sessionmaker(engine)() as session:
            keys = await auth_service.list_keys(session)
    finally:
        await engine.dispose()
    print(f"{'id':36}  {'prefix':10}  {'role':10}  {'unit':10}  {'state':8}  last used  name")
    for k in keys:
        state = "revoked" if k.revoked_at else "active"
        last = k.last_used_at.isoformat(timespec="seconds") if k.last_used_at else "never"
        print(
            f"{k.id!s:36}  {k.key_prefix:10}  {k.role:10}  {k.unit_code or '-':10}  "
            f"{state:8}  {last}  {k.name}"
        )
    return 0


async def _keys_revoke(args: argparse.Namespace) -> int:
    engine = make_engine(await settings_for_cli(writes=True))
    try:
        async with make_sessionmaker(engine)() as session, session.begin():
            key = await auth_service.revoke_key(session, key_id=args.key_id, now=system_clock())
    finally:
        await engine.dispose()
    print(f"revoked key {key.id} ({key.name})")
    return 0


def _openapi(args: argparse.Namespace) -> int:
    from appeals_api.main import create_app

    document = json.dumps(create_app().openapi(), indent=2, ensure_ascii=False) + "\n"
    if args.out:
        Path(args.out).write_text(document, encoding="utf-8")
    else:
        sys.stdout.write(document)
    return 0


class ProgressBar:
    """A bar on stderr, redrawn in place on a terminal, every tenth otherwise."""

    def __init__(self, total: int, stream: TextIO = sys.stderr, width: int = 30) -> None:
        self.total, self.stream, self.width = max(total, 1), stream, width
        self.started = time.monotonic()
        self.tty = stream.isatty()
        self.last_tenth = -1

    def __call__(self, done: int) -> None:
        share = min(done / self.total, 1.0)
        tenth = int(share * 10)
        if not self.tty and tenth == self.last_tenth:
            return
        self.last_tenth = tenth
        filled = int(share * self.width)
        line = (
            f"[{'#' * filled}{'.' * (self.width - filled)}] {share:4.0%} "
            f"{done:,}/{self.total:,} appeals, {time.monotonic() - self.started:.0f} s"
        )
        self.stream.write(("\r" + line) if self.tty else line + "\n")
        self.stream.flush()

    def close(self) -> None:
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()


def _years(value: str) -> tuple[int, int]:
    first, _, last = value.partition("-")
    try:
        years = (int(first), int(last or first))
    except ValueError:
        raise argparse.ArgumentTypeError("years are YYYY or YYYY-YYYY") from None
    if not 2000 <= years[0] <= years[1] <= 2200:
        raise argparse.ArgumentTypeError("years run from 2000 to 2200, first to last")
    return years


def _count(value: str) -> int:
    try:
        count = int(value.replace("_", ""))
    except ValueError:
        raise argparse.ArgumentTypeError("count is a whole number") from None
    if not 1 <= count <= 20_000_000:
        raise argparse.ArgumentTypeError("count is between 1 and 20,000,000")
    return count


async def _seed(args: argparse.Namespace) -> int:
    from appeals_api.stats import seed

    settings = await settings_for_cli(writes=True)
    today = args.as_of or system_clock().astimezone(settings.tz).date()
    years = args.years or (today.year - 4, today.year)
    engine = make_engine(settings)
    bar = ProgressBar(args.count)
    started = time.monotonic()
    try:
        result = await seed.seed(
            engine,
            settings,
            count=args.count,
            years=years,
            seed=args.seed,
            today=today,
            progress=bar,
            plant=args.plant,
            into_real_years=args.into_real_years,
        )
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        bar.close()
        await engine.dispose()
    per_year = ", ".join(f"{y}: {n:,}" for y, n in sorted(result.per_year.items()))
    created = f"; created {result.units_created} units" if result.units_created else ""
    print(
        f"seeded {result.count:,} appeals ({per_year}) in {time.monotonic() - started:.0f} s"
        + created
    )
    if result.planted:
        await _report_planted(settings, result.planted)
    return 0


async def _report_planted(settings: Settings, planted: list[Any]) -> None:
    """Issue 15: how well the suggestions find the planted duplicates and repeats."""
    from appeals_api.stats.seed_similar import evaluate

    pool = await make_pool(settings)
    try:
        f = await evaluate(pool, settings, planted)
    finally:
        await pool.close()
    print(
        f"planted {f.groups} groups, {f.pairs} duplicates and repeats: found {f.found}, "
        f"suggested {f.suggested} in all; precision {f.precision:.3f}, recall {f.recall:.3f}; "
        f"relation right for {f.relations_right} of {f.found}"
    )


def _read_heads(path: str) -> list[Any]:
    from appeals_api.audit.schemas import ChainHead

    with open(path, encoding="utf-8") as lines:
        return [ChainHead.model_validate_json(line) for line in lines if line.strip()]


async def _audit_verify(args: argparse.Namespace) -> int:
    from appeals_api.audit import service as audit_service

    try:
        heads = _read_heads(args.heads) if args.heads else []
    except (OSError, ValueError) as exc:
        print(f"error: the heads file: {exc}", file=sys.stderr)
        return 2
    engine = make_engine(await settings_for_cli(writes=False))
    try:
        async with make_sessionmaker(engine)() as session, session.begin():
            await audit_service.snapshot(session)
            report = await audit_service.verify(session, heads=heads)
    finally:
        await engine.dispose()
    for f in report.findings:
        print(
            f"{f.kind}: appeal {f.number or '-'} ({f.appeal_id}) position {f.position} "
            f"entry {f.entry_id or '-'}: {f.detail}"
        )
    against = f" against {len(heads):,} exported heads" if heads else ""
    verdict = "all chains hold" if report.ok else f"{report.broken_appeals:,} chains broken"
    print(
        f"checked {report.appeals_checked:,} appeals, {report.entries_checked:,} history "
        f"entries{against} as of {report.as_of.isoformat()}: {verdict}"
    )
    return 0 if report.ok else 1


async def _audit_heads(_: argparse.Namespace) -> int:
    from appeals_api.audit import service as audit_service

    engine = make_engine(await settings_for_cli(writes=False))
    try:
        async with make_sessionmaker(engine)() as session, session.begin():
            await audit_service.snapshot(session)
            async for head in audit_service.all_heads(session):
                sys.stdout.write(head.model_dump_json() + "\n")
    finally:
        await engine.dispose()
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="appeals-api", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    _add_keys(sub)
    _add_seed(sub)
    _add_audit(sub)
    add_backup(sub)
    openapi = sub.add_parser("openapi", help="print or write the OpenAPI document")
    openapi.add_argument("--out", help="file to write (default: stdout)")
    openapi.set_defaults(run=_openapi, sync=True)
    return parser


def _add_keys(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    keys = sub.add_parser("keys", help="API keys").add_subparsers(
        dest="keys_command", required=True
    )
    create = keys.add_parser("create", help="make a key; printed once, on the last line")
    create.add_argument("--name", required=True)
    create.add_argument("--role", required=True, choices=[r.value for r in Role])
    create.add_argument("--unit", help="unit code (executor keys only)")
    create.add_argument("--expires-in-days", type=int, default=None)
    create.set_defaults(run=_keys_create)
    keys.add_parser("list", help="list keys (never the keys themselves)").set_defaults(
        run=_keys_list
    )
    revoke = keys.add_parser("revoke", help="revoke a key by id; effective at once")
    revoke.add_argument("key_id", type=uuid.UUID, help="the id shown by `keys list`")
    revoke.set_defaults(run=_keys_revoke)


def _add_audit(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    audit = sub.add_parser("audit", help="the history's hash chains (R-9.5)").add_subparsers(
        dest="audit_command", required=True
    )
    verify = audit.add_parser(
        "verify", help="recompute every chain; exit 1 and name the first break of each"
    )
    verify.add_argument(
        "--heads", help="a file of `audit heads`: also catch chains cut short or rewritten"
    )
    verify.set_defaults(run=_audit_verify)
    audit.add_parser(
        "heads", help="every chain's head as JSON lines on stdout, to keep elsewhere (daily)"
    ).set_defaults(run=_audit_heads)


def _add_seed(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    seeding = sub.add_parser(
        "seed",
        help="generate realistic appeals straight into the database (development, benchmarks)",
    )
    seeding.add_argument("--count", type=_count, required=True, help="how many appeals")
    seeding.add_argument(
        "--years",
        type=_years,
        default=None,
        help="received in these years, e.g. 2022-2026 (default: the last five); never after today",
    )
    seeding.add_argument("--seed", type=int, default=None, help="random seed, for the same data")
    seeding.add_argument(
        "--plant",
        type=int,
        default=0,
        help="about this many groups of known duplicates, repeats and decoys among them, and "
        "report the precision and recall of the suggestions (R-2.3)",
    )
    seeding.add_argument(
        "--as-of",
        type=date.fromisoformat,
        default=None,
        help="YYYY-MM-DD: generate as if today were this day (default: today); with --seed, "
        "the same data on any day",
    )
    seeding.add_argument(
        "--into-real-years",
        action="store_true",
        help="add demo appeals even to years that hold appeals registered through the service "
        "(refused without it: they would share numbers and statistics with the real ones)",
    )
    seeding.set_defaults(run=_seed)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if getattr(args, "sync", False):
            return int(args.run(args))
        return int(asyncio.run(args.run(args)))
    except AppError as exc:
        print(f"error: {exc.detail}", file=sys.stderr)
        return 2
    except Refused as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
