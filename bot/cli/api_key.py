"""``modbot api-key add NAME [--qps N] | list | revoke NAME``: keys of the comment analysis API (stored hashed)."""

from __future__ import annotations

import argparse
import asyncio
import sys

from bot.cli.common import settings_or_exit
from bot.cli.exit_codes import ExitCode
from bot.settings import Settings


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``api-key`` subcommand and its actions."""
    parser = subparsers.add_parser("api-key", help="add, list or revoke keys of the comment analysis API")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = actions.add_parser("add", help="create a key (printed once; only its sha256 is stored)")
    add.add_argument("name")
    add.add_argument("--qps", type=float, help="queries per second allowed (default: [api] default_qps)")
    actions.add_parser("list", help="list keys (names, quotas, dates; never the keys)")
    revoke = actions.add_parser("revoke", help="revoke the active key with this name")
    revoke.add_argument("name")
    parser.set_defaults(func=run)


async def _act(settings: Settings, args: argparse.Namespace) -> int:
    from bot.api.keys import KeyExists, KeyStore
    from bot.storage import Database, StorageError

    try:
        db = await Database.open(settings.storage.target, busy_timeout_ms=settings.storage.busy_timeout_ms)
    except StorageError as exc:
        print(f"modbot api-key: {exc}", file=sys.stderr)
        return ExitCode.FAILED
    store = KeyStore(db)
    try:
        if args.action == "add":
            qps = args.qps if args.qps is not None else settings.api.default_qps
            try:
                key = await store.add(args.name, qps)
            except (KeyExists, ValueError) as exc:
                print(f"modbot api-key: {exc}", file=sys.stderr)
                return ExitCode.FAILED
            print(key)
            print(f"modbot api-key: added {args.name!r} ({qps:g} qps). This key is shown once; only its sha256 "
                  "is stored.", file=sys.stderr)
        elif args.action == "list":
            keys = await store.list()
            if not keys:
                print("no API keys (the API is keyless and loopback-only)")
            for info in keys:
                state = f"revoked {info.revoked_at}" if info.revoked_at else "active"
                print(f"{info.name}\t{info.qps:g} qps\tcreated {info.created_at}\t{state}")
        else:
            if not await store.revoke(args.name):
                print(f"modbot api-key: no active key named {args.name!r}", file=sys.stderr)
                return ExitCode.FAILED
            print(f"modbot api-key: revoked {args.name!r}", file=sys.stderr)
        return ExitCode.OK
    finally:
        await db.close()


def run(args: argparse.Namespace) -> int:
    """Entry point for ``modbot api-key``."""
    settings = settings_or_exit(args)
    if isinstance(settings, int):
        return settings
    return asyncio.run(_act(settings, args))
