"""The cascade-headroom measure: the threshold keeps the asked recall and counts the negatives below it."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))

from cascade_headroom import headroom  # noqa: E402


def test_headroom_keeps_the_recall_and_counts_cleared_negatives() -> None:
    scores = np.array([0.9, 0.8, 0.7, 0.6, 0.1, 0.2, 0.3, 0.65])
    positive = np.array([True, True, True, True, False, False, False, False])
    threshold, cleared = headroom(scores, positive, recall=1.0)
    assert threshold == 0.6 and (scores[positive] >= threshold).all()
    assert cleared == 0.75  # 0.1, 0.2, 0.3 are below 0.6; 0.65 is not
