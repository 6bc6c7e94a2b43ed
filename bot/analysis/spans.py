"""Which words make a sentence score high: occlusion over words, with the learned heads as the judge.

For a flagged sentence, each word is removed in turn and the sentence re-scored; the words whose removal
lowers the score most (at least ``min_share`` of the largest drop, and by at least ``min_drop``) are the
evidence, merged into character spans of the sentence. Words a lexicon already knows (insults, slurs,
rhetoric matches) are passed as ``known`` and always kept. Runs only for flagged units, so its cost (one
embedding per word) is paid on the few messages a moderator will see.

Measured against the Toxic Spans ground truth (character F1, SemEval-2021 metric) by ``modbot eval --suite
news``; see docs/benchmarks/eval.md.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

_WORD = re.compile(r"[^\W_](?:[\w'’*-]*[^\W_])?")
MAX_WORDS = 48


def words(text: str) -> list[tuple[int, int]]:
    """Character spans of the words of ``text``."""
    return [(m.start(), m.end()) for m in _WORD.finditer(text)]


def occlusion_spans(
    text: str,
    score: Callable[[Sequence[str]], Sequence[float]],
    *,
    known: Sequence[tuple[int, int]] = (),
    min_drop: float = 0.05,
    min_share: float = 0.5,
    max_words: int = MAX_WORDS,
) -> list[tuple[int, int]]:
    """Spans of ``text`` (merged, sorted) that carry its score under ``score`` (batch: texts -> scores)."""
    found = words(text)[:max_words]
    if not found:
        return sorted(set(known))
    variants = [text] + [(text[:s] + text[e:]).strip() or "." for s, e in found]
    values = list(score(variants))
    base, rest = values[0], values[1:]
    drops = [base - v for v in rest]
    top = max(drops, default=0.0)
    chosen = [span for span, d in zip(found, drops, strict=True)
              if top >= min_drop and d >= max(min_drop, min_share * top)]
    return merge([*chosen, *known], text)


def merge(spans: Sequence[tuple[int, int]], text: str) -> list[tuple[int, int]]:
    """Sorted spans, with neighbours separated only by spaces/punctuation joined into one."""
    out: list[tuple[int, int]] = []
    for s, e in sorted(set(spans)):
        if out and (s <= out[-1][1] or not text[out[-1][1]:s].strip(" ,'\"-")):
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def char_f1(predicted: Sequence[tuple[int, int]], gold: Sequence[tuple[int, int]]) -> float:
    """SemEval-2021 Task 5 character F1 of one text (1.0 when both are empty)."""
    p = {i for s, e in predicted for i in range(s, e)}
    g = {i for s, e in gold for i in range(s, e)}
    if not g:
        return 1.0 if not p else 0.0
    if not p:
        return 0.0
    tp = len(p & g)
    if tp == 0:
        return 0.0
    precision, recall = tp / len(p), tp / len(g)
    return 2 * precision * recall / (precision + recall)
