"""Shared fixtures of the analysis tests."""

from __future__ import annotations

import pytest

from bot.analysis.analyzer import Analyzer, shared_analyzer


@pytest.fixture(scope="session")
def analyzer() -> Analyzer:
    """The process-wide analyzer with the bundled heads loaded (skips when MiniLM or the heads are unavailable)."""
    analyzer = shared_analyzer()
    analyzer.warm_up()
    if analyzer.status["heads"] != "ok":
        pytest.skip(f"learned heads unavailable: {analyzer.status['heads']}")
    return analyzer
