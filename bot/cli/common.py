"""Helpers shared by CLI subcommands: loading settings with operator-friendly errors."""

from __future__ import annotations

import argparse
import sys

from bot.cli.exit_codes import ExitCode
from bot.settings import ConfigError, Settings, load_settings


def settings_or_exit(args: argparse.Namespace) -> Settings | int:
    """Load settings, or print one line per bad key to stderr and return exit code 2."""
    try:
        return load_settings(getattr(args, "config", None))
    except ConfigError as exc:
        print("modbot: invalid configuration:", file=sys.stderr)
        for problem in exc.problems:
            print(f"  - {problem}", file=sys.stderr)
        return ExitCode.CONFIG
