"""The extractive summarizer: order, determinism, redundancy, eligibility, speed, and ROUGE vs Lead-3."""

from __future__ import annotations

import json
import statistics
import time

import numpy as np
import pytest

from bot.articles.extractive import lead, select_indices, sentence_scores, summarize_sentences
from bot.articles.parse import parse_text
from bot.paths import SEEDS_DIR, shared_dir

SENTENCES = [
    "The city council approved the school budget on Tuesday after months of debate.",
    "The budget gives teachers a raise of six percent and repairs four schools.",
    "The city council approved the school budget on Tuesday after months of debate.",
    "Weather on Tuesday was sunny and mild across the region.",
    "Council members said the school repairs and the teacher raise could not wait.",
    "Parents at the meeting applauded the budget vote.",
    "These are the changes:",
]


def test_count_order_and_determinism() -> None:
    for count in range(1, 6):
        indices = select_indices(SENTENCES, count)
        assert len(set(indices)) == count
        assert indices == sorted(indices)
        assert summarize_sentences(SENTENCES, count) == [SENTENCES[i] for i in indices]
        assert select_indices(SENTENCES, count) == indices


def test_small_inputs() -> None:
    assert summarize_sentences([], 3) == []
    assert summarize_sentences(SENTENCES[:2], 3) == SENTENCES[:2]
    assert summarize_sentences(SENTENCES, 0) == []
    assert lead(SENTENCES, 2) == SENTENCES[:2]


def test_redundancy_and_lead_ins_are_avoided() -> None:
    indices = select_indices(SENTENCES, 4)
    assert 0 in indices and 2 not in indices  # the repeated sentence is not picked twice
    assert 6 not in indices  # a list lead-in ending with a colon
    # ... unless there is nothing else to pick
    assert select_indices(["Short one:", "These are the changes:"], 2) == [0, 1]


def test_scores_blend_position_and_centrality() -> None:
    scores = sentence_scores(SENTENCES)
    assert scores.shape == (len(SENTENCES),)
    assert np.all((scores >= 0) & (scores <= 1))
    assert scores[0] > scores[3]  # the off-topic weather sentence is not central


def _long_text(chars: int = 20_000) -> str:
    text = "\n\n".join(p.read_text(encoding="utf-8") for p in sorted(SEEDS_DIR.glob("*.txt")))
    while len(text) < chars:
        text += "\n\n" + text
    return text[:chars]


def test_20k_character_article_under_200_ms() -> None:
    text = _long_text()
    assert len(text) == 20_000

    def once() -> float:
        start = time.perf_counter()
        article = parse_text(text, article_id="long")
        summary = summarize_sentences(article.sentences, 5)
        assert len(summary) == 5
        return (time.perf_counter() - start) * 1000

    once()  # warm-up (model loading, imports)
    assert statistics.median(once() for _ in range(5)) < 200


DEV_SET = shared_dir() / "data" / "summaries" / "cnndm_test_dev.jsonl"


@pytest.mark.slow
@pytest.mark.skipif(not DEV_SET.exists(), reason="shared dev set not available")
def test_rouge_at_least_lead3_on_dev_set() -> None:
    from rouge_score import rouge_scorer

    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeLsum"], use_stemmer=True)
    rows = [json.loads(line) for line in DEV_SET.read_text(encoding="utf-8").splitlines() if line.strip()]
    ours = np.zeros(3)
    base = np.zeros(3)
    for row in rows:
        sentences = parse_text(row["article"], article_id=row["id"]).sentences
        for total, summary in ((ours, summarize_sentences(sentences, 3)), (base, lead(sentences, 3))):
            scores = scorer.score(row["reference"], "\n".join(summary))
            total += [scores[m].fmeasure for m in ("rouge1", "rouge2", "rougeLsum")]
    assert np.all(ours >= base), (ours / len(rows), base / len(rows))
