"""Extractive summarizer: position prior + TF-IDF centroid centrality, with MMR against redundancy.

Offline, deterministic and fast (numpy only). Each sentence gets

    score = w * exp(-position / decay) + (1 - w) * centrality

where centrality is the cosine between the sentence's TF-IDF vector and the document centroid, rescaled
to [0, 1]. Sentences are then picked greedily by maximal marginal relevance,
``(1 - r) * score - r * max cosine to the picked ones``, and returned in article order. Sentences that are
too short or too long, end in a colon (list lead-ins) or nearly repeat a picked one (cosine >= 0.8) are
only used if nothing else is left.
Position weight, decay and redundancy were picked on the CNN dev set with a coarse grid (the score is flat
around them; see bench/summaries.py); the word limits and the duplicate threshold are set by hand.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

_TOKEN = re.compile(r"[a-z0-9]+")
STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been before being below
    between both but by can could did do does doing down during each few for from further had has have having he
    her here hers herself him himself his how i if in into is it its itself just me more most my myself no nor not
    now of off on once only or other our ours ourselves out over own same she should so some such than that the
    their theirs them themselves then there these they this those through to too under until up very was we were
    what when where which while who whom why will with would you your yours yourself yourselves said says say
    according told mr mrs ms one two also""".split()
)


@dataclass(frozen=True, slots=True)
class ExtractiveParams:
    """Tuning knobs of the extractive summarizer."""

    position_weight: float = 0.5
    position_decay: float = 4.0
    redundancy: float = 0.2
    duplicate_similarity: float = 0.8
    min_words: int = 5
    max_words: int = 60


DEFAULT_PARAMS = ExtractiveParams()


def _stem(word: str) -> str:
    """A very light stemmer: drop a plural/possessive trailing "s" from longer words."""
    if len(word) > 4 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def tokens(sentence: str) -> list[str]:
    """Content-word tokens of a sentence: lower-cased, stop words dropped, lightly stemmed."""
    return [_stem(w) for w in _TOKEN.findall(sentence.lower()) if w not in STOPWORDS]


def tfidf_matrix(sentences: Sequence[str]) -> np.ndarray:
    """Row-normalised TF-IDF matrix (sentences x vocabulary); IDF counts sentences as documents."""
    token_lists = [tokens(s) for s in sentences]
    vocabulary: dict[str, int] = {}
    rows: list[int] = []
    cols: list[int] = []
    for row, words in enumerate(token_lists):
        for word in words:
            rows.append(row)
            cols.append(vocabulary.setdefault(word, len(vocabulary)))
    matrix = np.zeros((len(sentences), max(1, len(vocabulary))))
    np.add.at(matrix, (rows, cols), 1.0)
    n = len(sentences)
    df = np.count_nonzero(matrix, axis=0)
    matrix *= np.log((n + 1) / (df + 1)) + 1.0
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return matrix / norms


def sentence_scores(sentences: Sequence[str], params: ExtractiveParams = DEFAULT_PARAMS) -> np.ndarray:
    """Salience of each sentence (position prior blended with centroid centrality), in [0, 1]."""
    matrix = tfidf_matrix(sentences)
    return _scores(matrix, params)


def _scores(matrix: np.ndarray, params: ExtractiveParams) -> np.ndarray:
    centroid = matrix.sum(axis=0)
    norm = np.linalg.norm(centroid)
    # element-wise products instead of BLAS calls: the matrices are small, and BLAS threads add latency
    centrality = (matrix * (centroid / norm)).sum(axis=1) if norm else np.zeros(len(matrix))
    spread = centrality.max() - centrality.min()
    centrality = (centrality - centrality.min()) / spread if spread else np.zeros_like(centrality)
    position = np.exp(-np.arange(len(matrix)) / params.position_decay)
    return params.position_weight * position + (1 - params.position_weight) * centrality


def _eligible(sentence: str, params: ExtractiveParams) -> bool:
    words = len(sentence.split())
    return params.min_words <= words <= params.max_words and not sentence.rstrip().endswith(":")


def select_indices(sentences: Sequence[str], count: int, params: ExtractiveParams = DEFAULT_PARAMS) -> list[int]:
    """Indices of the ``count`` sentences to keep, in article order."""
    n = len(sentences)
    if count <= 0 or n == 0:
        return []
    if n <= count:
        return list(range(n))
    matrix = tfidf_matrix(sentences)
    scores = _scores(matrix, params)
    eligible = np.array([_eligible(s, params) for s in sentences])
    scores = np.where(eligible, scores, scores - 2.0)  # ineligible only when nothing else is left
    picked: list[int] = []
    redundancy = np.zeros(n)
    available = np.ones(n, dtype=bool)
    for _ in range(count):
        value = (1 - params.redundancy) * scores - params.redundancy * redundancy
        value = np.where(redundancy >= params.duplicate_similarity, value - 2.0, value)  # near-duplicates last
        value[~available] = -np.inf
        best = int(np.argmax(value))
        picked.append(best)
        available[best] = False
        redundancy = np.maximum(redundancy, (matrix * matrix[best]).sum(axis=1))
    return sorted(picked)


def summarize_sentences(
    sentences: Sequence[str], count: int, params: ExtractiveParams = DEFAULT_PARAMS
) -> list[str]:
    """The extractive summary: ``count`` sentences of ``sentences``, in their original order."""
    return [sentences[i] for i in select_indices(sentences, count, params)]


def lead(sentences: Sequence[str], count: int) -> list[str]:
    """Lead-N baseline: the first ``count`` sentences."""
    return list(sentences[:count])
