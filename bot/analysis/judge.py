"""From head probabilities and lexicon matches to the three scores of one unit (a sentence or a message).

The policy behind the scores, in moderators' terms:

- **inflammatory** is incivility aimed at someone: an insult, an identity attack, a threat, hateful talk about a
  group (heads ``insult``, ``identity_attack``, ``threat`` from Toxic Spans, ``hateful`` from Fox News comments,
  ``toxicity`` from Civil Comments in Context) plus contempt / dehumanizing / violence patterns. Swearing that
  targets no one ("this is f***ing great") is not inflammatory: the ``toxicity`` head (whose raters counted
  profanity as toxic) only counts as far as the attack heads agree.
- **profanity** is the ``profane`` head alone. It becomes a label only where an operator turns it on
  (``[policy] flag_profanity``).
- **partisan** is hostility towards a political side as a group: it needs a side named as a group in the unit
  and hostility there (the attack score, the ``intolerance`` head when the text is also negative, blame and
  generalization patterns, partisan slurs). Criticism of a party's policy ("the GOP tax plan will hurt
  renters") and praise of one's own side ("Democrats are a big tent") carry no hostility, so they stay below
  the threshold.

Heads trained before the news-comment sets (``impoliteness`` + ``intolerance`` only) are read the old way
(:func:`legacy_scores`), so operators' own older heads keep working.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.analysis.rhetoric import RhetoricMatch
from bot.analysis.targets import TargetMatch

# How much a political target in the unit lets the evidence count towards "partisan".
GATE_GROUP, GATE_POLITICAL, GATE_NONE = 1.0, 0.6, 0.3
SLUR_WEIGHT = 0.6
_INFLAMMATORY_CATEGORIES = {"contempt": 1.0, "dehumanizing": 1.0, "violence": 1.0, "us_vs_them": 0.6}
_PARTISAN_CATEGORIES = {"blame": 1.0, "generalization": 1.0, "us_vs_them": 0.7}
# Chosen on the validation splits (scripts/calibrate_policy.py, docs/benchmarks/eval.md): of the blends tried
# (toxicity alone, toxicity + insult, + hateful, weighted means, max), the CCC toxicity head with a profanity
# discount, or the Fox hateful head when clearly stronger, had the best precision at <= 2 % civil comments flagged.
HATEFUL_OFFSET = 0.1  # the hateful head (1,046 training comments) counts only when it beats toxicity by this much
PARTISAN_INTOLERANCE = 0.8  # share of the intolerance head that counts, scaled by how hostile the text is

Head = Callable[[str], float | None]


@dataclass(frozen=True)
class UnitScores:
    """The scores of one unit, and the lexicon-only parts (for the lexicon baseline)."""

    inflammatory: float
    partisan: float
    profanity: float
    lexicon_inflammatory: float
    lexicon_partisan: float
    attack: float


def noisy_or(values: Sequence[float]) -> float:
    """1 - prod(1 - v): combines independent pieces of evidence into one score in [0, 1]."""
    out = 1.0
    for v in values:
        out *= 1.0 - min(max(float(v), 0.0), 1.0)
    return 1.0 - out


def lexicon_scores(targets: Sequence[TargetMatch], rhetoric: Sequence[RhetoricMatch]) -> tuple[float, float]:
    """(inflammatory, partisan) evidence from lexicons and patterns alone, each in [0, 1]."""
    slurs = [t for t in targets if t.kind == "slur"]
    has_group = any(t.group and t.side != "unknown" for t in targets)
    inflam = [r.weight * _INFLAMMATORY_CATEGORIES[r.category]
              for r in rhetoric if r.category in _INFLAMMATORY_CATEGORIES]
    inflam += [SLUR_WEIGHT] * min(len(slurs), 1)
    partisan = [r.weight * _PARTISAN_CATEGORIES[r.category] for r in rhetoric if r.category in _PARTISAN_CATEGORIES]
    partisan += [SLUR_WEIGHT] * min(len(slurs), 1)
    if has_group:  # contempt, dehumanizing or violence aimed where a side is named
        partisan += [0.8 * r.weight for r in rhetoric if r.category in ("contempt", "dehumanizing", "violence")]
    return noisy_or(inflam), noisy_or(partisan)


def gate(targets: Sequence[TargetMatch]) -> float:
    """Weight of the partisan evidence given the targets present (a side as a group > a politician > none)."""
    if any(t.group and t.side != "unknown" for t in targets):
        return GATE_GROUP
    return GATE_POLITICAL if targets else GATE_NONE


def has_news_heads(names: Sequence[str]) -> bool:
    """True when the loaded heads were trained with the news-comment sets."""
    return all(n in names for n in ("insult", "toxicity", "profane"))


def attack_score(head: Head) -> float:
    """Incivility aimed at someone: the news-comment toxicity head, discounted by how much of it is swearing
    rather than an insult, identity attack or threat; or the hateful head when it is clearly stronger."""
    toxicity = head("toxicity") or 0.0
    aimed = max(head("insult") or 0.0, head("identity_attack") or 0.0, head("threat") or 0.0)
    swearing = max(0.0, (head("profane") or 0.0) - aimed)
    return max(toxicity * (1.0 - swearing), (head("hateful") or 0.0) - HATEFUL_OFFSET, 0.0)


def unit_scores(head: Head, targets: Sequence[TargetMatch], rhetoric: Sequence[RhetoricMatch]) -> UnitScores:
    """Scores of a unit read by news-comment heads (see the module doc)."""
    lex_inf, lex_par = lexicon_scores(targets, rhetoric)
    attack = attack_score(head)
    inflammatory = noisy_or([attack, lex_inf])
    intolerance = head("intolerance") or 0.0
    hostile = max(attack, lex_par)  # an insult, or blame / generalization framing: the text is hostile
    hostility = noisy_or([attack, PARTISAN_INTOLERANCE * intolerance * min(1.0, 2.0 * hostile), lex_par])
    g = gate(targets)
    return UnitScores(inflammatory, g * hostility, head("profane") or 0.0, lex_inf, g * lex_par, attack)


def legacy_scores(head: Head, targets: Sequence[TargetMatch], rhetoric: Sequence[RhetoricMatch]) -> UnitScores:
    """Scores of a unit read by tweet-only heads (impoliteness, intolerance): the first release's rule."""
    lex_inf, lex_par = lexicon_scores(targets, rhetoric)
    impoliteness = head("impoliteness") or 0.0
    inflammatory = noisy_or([impoliteness, lex_inf])
    g = gate(targets)
    partisan = g * noisy_or([head("intolerance") or 0.0, lex_par])
    return UnitScores(inflammatory, partisan, 0.0, lex_inf, g * lex_par, impoliteness)
