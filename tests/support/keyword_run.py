"""``python -m support.keyword_run run``: the real ``modbot run`` command with :class:`KeywordTestScorer` injected.

For the tests that run the bot as a child process (crash, restart, log hygiene): the product has no test scorer,
so the child gets it through the same constructor seam as in-process tests (``ModBot(settings, scorer=...)``).
``KEYWORD_TEST_WORDS`` (a JSON list) sets the marker words; default ``["flagme"]``.
"""

from __future__ import annotations

import json
import os
import sys

from support.keyword_scorer import DEFAULT_WORDS, KeywordTestScorer

from bot.cli import build_parser
from bot.cli.run import run

MODULE = "support.keyword_run"


def main() -> int:
    """Parse the ``modbot`` arguments and run the ``run`` command with the keyword scorer."""
    words = json.loads(os.environ.get("KEYWORD_TEST_WORDS", "null")) or list(DEFAULT_WORDS)
    args = build_parser().parse_args(sys.argv[1:])
    if args.command != "run":
        raise SystemExit(f"{MODULE} only runs the `run` command, not {args.command!r}")
    return run(args, scorer=KeywordTestScorer(words))


if __name__ == "__main__":
    sys.exit(main())
