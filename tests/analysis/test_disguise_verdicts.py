"""Disguises do not change the verdict: every detector reads the normalized text (issue 12, item 3)."""

from __future__ import annotations

import pytest

from bot.analysis.analyzer import Analyzer
from tests.analysis.disguises import disguise_variants
from tests.analysis.test_disguise_matrix import SENTENCES

pytestmark = pytest.mark.slow



def test_disguised_variants_keep_the_flag_and_its_labels(analyzer: Analyzer) -> None:
    plain = analyzer.analyze_sync(list(SENTENCES))
    assert all(v.flagged for v in plain), [(s, v.scores) for s, v in zip(SENTENCES, plain, strict=True)]
    rows = [(i, kind, variant) for i, s in enumerate(SENTENCES) for kind, variant in disguise_variants(s)]
    verdicts = analyzer.analyze_sync([variant for _, _, variant in rows])
    kept = [v.flagged and set(plain[i].labels) <= set(v.labels) for (i, _, _), v in zip(rows, verdicts, strict=True)]
    lost = [f"{kind}: {variant!r} -> {v.labels} (want {plain[i].labels})"
            for (i, kind, variant), v, ok in zip(rows, verdicts, kept, strict=True) if not ok]
    assert len(rows) >= 60
    assert sum(kept) / len(rows) >= 0.95, f"{sum(kept)}/{len(rows)} kept; lost:\n" + "\n".join(lost)


def test_evidence_quotes_what_the_member_wrote(analyzer: Analyzer) -> None:
    text = "You are a complete **іԁіоt** and a m o r o n."
    verdict = analyzer.analyze_sync([text])[0]
    assert verdict.flagged
    ev = verdict.evidence[0]
    assert ev.sentence in text and text[ev.start:ev.end] == ev.sentence
    assert all(w in text for w in ev.words)
