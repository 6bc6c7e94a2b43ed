"""``modbot check-config``: validate the configuration and print the effective settings, secrets masked."""

from __future__ import annotations

import argparse
import json

from bot.cli.common import settings_or_exit
from bot.cli.exit_codes import ExitCode
from bot.settings import masked_dump


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``check-config`` subcommand."""
    parser = subparsers.add_parser("check-config", help="validate config and print effective settings")
    parser.add_argument("--format", choices=["json", "text"], default="text")
    parser.set_defaults(func=run)


def _flatten(data: object, prefix: str = "") -> list[tuple[str, object]]:
    if isinstance(data, dict):
        items: list[tuple[str, object]] = []
        for key, value in data.items():
            items.extend(_flatten(value, f"{prefix}.{key}" if prefix else str(key)))
        return items
    return [(prefix, data)]


def run(args: argparse.Namespace) -> int:
    """Print the settings; exit 2 on invalid config."""
    settings = settings_or_exit(args)
    if isinstance(settings, int):
        return settings
    data = masked_dump(settings)
    if args.format == "json":
        print(json.dumps(data, indent=2))
    else:
        for key, value in _flatten(data):
            print(f"{key} = {json.dumps(value)}")
    print("configuration OK")
    return ExitCode.OK
