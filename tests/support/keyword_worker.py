"""``python -m support.keyword_worker worker``: the real ``modbot worker`` command with :class:`KeywordTestScorer`.

Like :mod:`support.keyword_run` for ``run``: the e2e tests of the scoring workers run this as a child process.
``KEYWORD_TEST_WORDS`` (a JSON list) sets the marker words (default ``["flagme"]``); ``KEYWORD_TEST_DELAY`` (seconds,
default 0) makes every scorer call take that long, so a worker holds its batch long enough to be killed mid-batch.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import Sequence

from support.keyword_scorer import DEFAULT_WORDS, KeywordTestScorer

from bot.analysis.config import PolicyConfig
from bot.analysis.context import MessageContext
from bot.cli import build_parser
from bot.cli.worker import worker
from bot.moderation.scoring import Assessment

MODULE = "support.keyword_worker"


class SlowKeywordScorer(KeywordTestScorer):
    """The keyword scorer, ``delay`` seconds per call."""

    def __init__(self, words: Sequence[str], delay: float) -> None:
        super().__init__(words)
        self.delay = delay

    async def analyze(self, texts: list[str], *, policy: PolicyConfig | None = None,
                      contexts: Sequence[MessageContext | None] | None = None) -> list[Assessment]:
        await asyncio.sleep(self.delay)
        return await super().analyze(texts, policy=policy, contexts=contexts)


def main() -> int:
    """Parse the ``modbot`` arguments and run the ``worker`` command with the keyword scorer."""
    words = json.loads(os.environ.get("KEYWORD_TEST_WORDS", "null")) or list(DEFAULT_WORDS)
    delay = float(os.environ.get("KEYWORD_TEST_DELAY", "0") or 0)
    args = build_parser().parse_args(sys.argv[1:])
    if args.command != "worker":
        raise SystemExit(f"{MODULE} only runs the `worker` command, not {args.command!r}")
    return worker(args, scorer=SlowKeywordScorer(words, delay) if delay else KeywordTestScorer(words))


if __name__ == "__main__":
    sys.exit(main())
