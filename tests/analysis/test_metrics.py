"""bot.metrics: one definition of AUC / average precision, NaN when there is nothing to rank."""

from __future__ import annotations

import math

import numpy as np

from bot.metrics import auc, average_precision


def test_perfect_and_reversed_rankings() -> None:
    y = np.array([0, 0, 1, 1])
    assert auc(y, np.array([0.1, 0.2, 0.8, 0.9])) == 1.0
    assert auc(y, np.array([0.9, 0.8, 0.2, 0.1])) == 0.0
    assert average_precision(y, np.array([0.1, 0.2, 0.8, 0.9])) == 1.0


def test_one_class_is_nan_not_an_error() -> None:
    for y in (np.zeros(3), np.ones(3), np.array([True, True])):
        assert math.isnan(auc(y, np.array([0.1, 0.5, 0.9][: len(y)])))
        assert math.isnan(average_precision(y, np.array([0.1, 0.5, 0.9][: len(y)])))
