"""Seed articles: the reader comment of seed 000 is flagged partisan; article sentences are (almost) never flagged."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.analysis.analyzer import Analyzer

SEEDS = sorted((Path(__file__).resolve().parents[2] / "seeds").glob("*.txt")) or sorted(
    Path("/work/shared/seeds").glob("*.txt"))


def _article(path: Path) -> tuple[list[str], list[str]]:
    """(body sentences, reader comments) via the articles cleaner, or a simple split when it is absent."""
    try:
        from bot.articles.parse import load_file
    except ImportError:  # pragma: no cover - the articles package is built in parallel
        text = path.read_text(encoding="utf-8")
        body, _, tail = text.partition("Comment")
        sentences = [s for p in body.split("\n") for s in re.split(r"(?<=[.!?])\s+", p) if len(s.split()) > 3]
        return sentences, [tail]
    article = load_file(path)
    return list(article.sentences), [c.text for c in article.comments]



def test_five_seeds_present() -> None:
    assert len(SEEDS) == 5


@pytest.mark.slow
def test_seed_000_comment_flagged_partisan(analyzer: Analyzer) -> None:
    _, comments = _article(SEEDS[0])
    comment = next(c for c in comments if "elect democrats" in c)
    verdict = analyzer.analyze_sync([comment])[0]
    assert verdict.flagged and "partisan" in verdict.labels, verdict.to_dict()
    ev = next(e for e in verdict.evidence if e.label == "partisan")
    assert ev.sentence.startswith("This is what happens when you elect democrats")
    assert "democrats" in ev.terms
    assert "not obscene" and verdict.scores["toxicity"] is None  # no toxicity model here: null, still flagged


@pytest.mark.slow
def test_article_sentences_rarely_flagged(analyzer: Analyzer) -> None:
    sentences = [s for path in SEEDS for s in _article(path)[0]]
    assert len(sentences) > 100
    verdicts = analyzer.analyze_sync(sentences)
    flagged = [(s, v.labels) for s, v in zip(sentences, verdicts, strict=True) if v.flagged]
    assert len(flagged) / len(sentences) <= 0.02, flagged
