"""Ranking metrics over labelled scores, one definition for the eval commands and the training scripts."""

from __future__ import annotations

import numpy as np


def _both_classes(y: np.ndarray) -> bool:
    positives = int(np.asarray(y, dtype=bool).sum())
    return 0 < positives < len(y)


def auc(y: np.ndarray, scores: np.ndarray) -> float:
    """ROC AUC; NaN when ``y`` holds only one class (no ranking to judge)."""
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(y, scores)) if _both_classes(y) else float("nan")


def average_precision(y: np.ndarray, scores: np.ndarray) -> float:
    """Average precision (area under the precision-recall curve); NaN when ``y`` holds only one class."""
    from sklearn.metrics import average_precision_score

    return float(average_precision_score(y, scores)) if _both_classes(y) else float("nan")
