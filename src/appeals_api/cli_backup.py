"""`appeals-api backup` / `appeals-api restore` (ops/backup.py does the work)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from appeals_api.ops import backup
from appeals_api.ops.target import settings_for_cli


async def _backup(args: argparse.Namespace) -> int:
    settings = await settings_for_cli(writes=False)
    try:
        size = await asyncio.to_thread(backup.backup, settings.plain_database_url, Path(args.out))
    except backup.BackupError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"backup written to {args.out} ({size:,} bytes; appeals, history, keys, documents)")
    return 0


async def _restore(args: argparse.Namespace) -> int:
    settings = await settings_for_cli(writes=True)
    try:
        await backup.restore(settings.plain_database_url, Path(args.dump), force=args.force)
    except backup.BackupError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"restored {args.dump}")
    return 0


def add_backup(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    made = sub.add_parser(
        "backup", help="pg_dump (custom format) of the database, documents' bytes included"
    )
    made.add_argument("--out", required=True, help="the file to write, e.g. appeals.dump")
    made.set_defaults(run=_backup)
    back = sub.add_parser(
        "restore", help="pg_restore a backup into an empty database (APPEALS_DATABASE_URL)"
    )
    back.add_argument("dump", help="a file written by `appeals-api backup`")
    back.add_argument(
        "--force", action="store_true", help="restore into a database that is not empty"
    )
    back.set_defaults(run=_restore)
