"""The ``modbot`` command line: one module per subcommand, each with ``register(subparsers)``."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from bot import __version__
from bot.cli.exit_codes import ExitCode

COMMANDS = ["run", "worker", "check_config", "summarize", "analyze", "eval", "healthcheck", "config_docs", "serve",
            "api_key"]


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser with every subcommand registered."""
    parser = argparse.ArgumentParser(prog="modbot", description="Self-hosted Discord bot for news communities.")
    parser.add_argument("--version", action="version", version=f"modbot {__version__}")
    parser.add_argument("--config", metavar="FILE", help="operator TOML file (default: $MODBOT_CONFIG)")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"bot.cli.{name}").register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Parse ``argv`` and run the chosen subcommand; returns the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return ExitCode.USAGE
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        return ExitCode.INTERRUPTED
