"""Evidence that points at the words: map a verdict's sentences onto the member's text and name the words.

The policy decides on the normalized text; :func:`explain` rewrites each piece of evidence so that
``sentence`` is what the member wrote (the card bolds it), ``spans`` / ``words`` name the words that carry the
label (lexicon and pattern matches, plus the words whose removal lowers the learned score most), and the
reason line ends with ``[words: "..."]``.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from bot.analysis.config import PolicyConfig
from bot.analysis.policy import Evidence, Verdict
from bot.analysis.spans import merge, occlusion_spans
from bot.analysis.targets import find_targets
from bot.analysis.textmap import Prepared

if TYPE_CHECKING:  # pragma: no cover
    from bot.analysis.analyzer import Analyzer

# Which learned score judges the words of each label.
_JUDGE = {"inflammatory": "attack", "toxic": "attack", "identity_attack": "identity_attack", "threat": "threat",
          "partisan": "intolerance", "profanity": "profane"}
_MAX_WORDS_SHOWN = 4


def known_spans(sentence: str, label: str) -> list[tuple[int, int]]:
    """Lexicon evidence inside a sentence: partisan slurs always; side names and patterns for partisan."""
    from bot.analysis.rhetoric import find_rhetoric

    targets = find_targets(sentence)
    out = [(t.start, t.end) for t in targets if t.kind == "slur"]
    rhetoric = find_rhetoric(sentence, targets)
    if label == "partisan":
        out += [(t.start, t.end) for t in targets if t.group]
        out += [(r.start, r.end) for r in rhetoric if r.category in ("blame", "generalization", "us_vs_them")]
    if label in ("inflammatory", "threat", "partisan"):
        out += [(r.start, r.end) for r in rhetoric if r.category in ("contempt", "dehumanizing", "violence")]
    return out


def word_spans(sentence: str, label: str, analyzer: Analyzer | Any, use_model: bool = True) -> list[tuple[int, int]]:
    """Spans of ``sentence`` (normalized text) that carry ``label``."""
    known = known_spans(sentence, label)
    head = _JUDGE.get(label)
    if not use_model or head is None or (head not in ("attack",) and head not in analyzer.head_names):
        return merge(known, sentence)
    return occlusion_spans(sentence, lambda texts: analyzer.score_texts(list(texts), head), known=known)


def explain(verdict: Verdict, prep: Prepared, analyzer: Analyzer | Any, config: PolicyConfig) -> Verdict:
    """``verdict`` with evidence on the original text and the words that carry each label."""
    evidence: list[Evidence] = []
    reasons = list(verdict.reasons)
    use_model = config.evidence_words and bool(analyzer.head_names)
    for ev in verdict.evidence:
        start, end = prep.to_original(ev.start, ev.end)
        sentence = prep.original[start:end].strip() or ev.sentence
        start = prep.original.find(sentence, max(0, start - 1)) if sentence in prep.original else start
        spans, words = [], []
        try:
            local = word_spans(ev.sentence, ev.label, analyzer, use_model)
        except Exception:  # naming words is a courtesy: never lose the verdict over it
            local = []
        for s, e in local:
            a, b = prep.to_original(ev.start + s, ev.start + e)
            if b > a:
                spans.append((a, b))
                words.append(prep.original[a:b])
        evidence.append(replace(ev, sentence=sentence, start=max(0, start), end=max(0, start) + len(sentence),
                                spans=spans, words=words))
        reasons = [_with_words(r, ev, sentence, words) for r in reasons]
    return replace(verdict, evidence=evidence, reasons=reasons)


def _with_words(reason: str, ev: Evidence, sentence: str, words: list[str]) -> str:
    if not reason.startswith(ev.label + " ") and not reason.startswith(ev.label + ":"):
        return reason
    if ev.sentence != sentence:
        reason = reason.replace(_short(ev.sentence), _short(sentence), 1)
    if words and "[words:" not in reason:
        shown = ", ".join(f'"{w}"' for w in list(dict.fromkeys(words))[:_MAX_WORDS_SHOWN])
        reason += f" [words: {shown}]"
    return reason


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 159 else text[:159]
