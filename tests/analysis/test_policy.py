"""Policy: ordinary political talk is not flagged; partisan blame is, with readable reasons and evidence."""

from __future__ import annotations

import json

import pytest

from bot.analysis.analyzer import Analyzer
from bot.analysis.config import PolicyConfig
from bot.analysis.policy import MessageSignals, UnitSignals, decide
from bot.analysis.toxicity import ToxicityResult, ToxicityState, ToxicityStatus

ORDINARY = [
    "I voted for the Democrats this time",
    "The Republican bill passed the Senate",
    "Democrats and Republicans both claim the budget deal as a win.",
    "Biden and Trump will debate on Thursday.",
    "My uncle is a conservative and my aunt is a liberal, dinners are fun.",
    "Turnout was higher in the suburbs than in 2020.",
    "What do you think about the new tariff proposal?",
    "The GOP primary starts in Iowa next month.",
]
PARTISAN = [
    "This is what happens when you elect democrats…",
    "Typical libtards, always crying about something.",
    "The MAGA cult will burn this country down.",
    "All Republicans are traitors and liars.",
]
# Blaming a party for an outcome is criticism of the party, not hostility towards its members: left unflagged
# since the precision-first policy (it scores 0.76, under the 0.80 partisan threshold).


@pytest.fixture(scope="module")
def lexicon_analyzer() -> Analyzer:
    return Analyzer(PolicyConfig(use_learned_heads=False))



@pytest.mark.slow
@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_political_talk_not_flagged(analyzer: Analyzer, text: str) -> None:
    verdict = analyzer.analyze_sync([text])[0]
    assert not verdict.flagged, verdict.reasons


@pytest.mark.slow
@pytest.mark.parametrize("text", PARTISAN)
def test_partisan_blame_flagged_with_reasons(analyzer: Analyzer, text: str) -> None:
    verdict = analyzer.analyze_sync([text])[0]
    assert verdict.flagged and "partisan" in verdict.labels, verdict.to_dict()
    ev = next(e for e in verdict.evidence if e.label == "partisan")
    assert ev.sentence in text and ev.terms
    assert any(r.startswith("partisan (") for r in verdict.reasons)
    json.dumps(verdict.to_dict())  # serializable


def test_seed_comment_flagged_without_heads(lexicon_analyzer: Analyzer) -> None:
    text = ("A strong administration kept this from happening.\n"
            "This is what happens when you elect democrats… (name a war in the last century that started when a "
            "republican was in office… and no, GWOT doesn’t count)")
    verdict = lexicon_analyzer.analyze_sync([text])[0]
    assert "partisan" in verdict.labels
    ev = verdict.evidence[0]
    assert ev.sentence == "This is what happens when you elect democrats…"
    assert text[ev.start : ev.end] == ev.sentence
    assert "blame_when_you_elect" in ev.patterns and "democrats" in ev.terms
    assert verdict.scores["toxicity"] is None


def test_partisan_needs_a_group_target() -> None:
    unit = UnitSignals("Biden is a disaster", 0, 19, inflammatory=0.2, partisan=0.95)
    sig = MessageSignals("Biden is a disaster", 0.2, 0.95, (unit,))
    assert not decide(sig, PolicyConfig()).flagged
    assert decide(sig, PolicyConfig(partisan_requires_group_target=False)).labels == ["partisan"]


def _tox(scores: dict[str, float], max_sentence: tuple[str, dict[str, float]] | None = None) -> ToxicityResult:
    return ToxicityResult(scores, max_sentence)


def test_toxicity_labels_and_severity(lexicon_analyzer: Analyzer) -> None:
    tox = _tox({"toxicity": 0.97, "threat": 0.1, "insult": 0.9}, ("you are scum", {"toxicity": 0.97}))
    verdict = lexicon_analyzer.analyze_sync(["hello there. you are scum"], [tox])[0]
    assert verdict.labels == ["toxic"] and verdict.severity == "high"
    assert verdict.scores["toxicity"] == 0.97
    assert verdict.evidence[0].sentence == "you are scum"


def test_violence_is_a_high_severity_threat(lexicon_analyzer: Analyzer) -> None:
    verdict = lexicon_analyzer.analyze_sync(["The libtards should all be hanged."])[0]
    assert "threat" in verdict.labels and verdict.severity == "high"
    assert any("should all be hanged" in r for r in verdict.reasons)


def test_config_merged_overrides_and_validates() -> None:
    cfg = PolicyConfig().merged({"partisan_threshold": 0.5})
    assert cfg.partisan_threshold == 0.5 and PolicyConfig().partisan_threshold != 0.5
    with pytest.raises(ValueError):
        PolicyConfig().merged({"no_such_key": 1})
    with pytest.raises(ValueError):
        PolicyConfig().merged({"partisan_threshold": 2})


def test_disabled_policy_flags_nothing(lexicon_analyzer: Analyzer) -> None:
    cfg = PolicyConfig(use_learned_heads=False, enabled=False)
    verdict = lexicon_analyzer.analyze_sync(["The libtards should all be hanged."], config=cfg)[0]
    assert not verdict.flagged and verdict.severity is None


async def test_async_analyze_uses_engine_and_degrades() -> None:
    class Engine:
        status = ToxicityStatus(ToxicityState.OK, "", variant="test", runtime="none")

        async def score(self, texts: list[str]) -> list[ToxicityResult]:
            return [_tox({"toxicity": 0.1}) for _ in texts]

    class Broken(Engine):
        async def score(self, texts: list[str]) -> list[ToxicityResult]:
            raise RuntimeError("model crashed")

    ok = await Analyzer(PolicyConfig(use_learned_heads=False), engine=Engine()).analyze(["a", "b"])
    assert [v.scores["toxicity"] for v in ok] == [0.1, 0.1]
    degraded = await Analyzer(PolicyConfig(use_learned_heads=False), engine=Broken()).analyze(["a"])
    assert degraded[0].scores["toxicity"] is None
    assert await Analyzer(PolicyConfig(use_learned_heads=False)).analyze([]) == []


@pytest.mark.parametrize("state", [ToxicityState.LOADING, ToxicityState.DEGRADED])
async def test_analyze_does_not_ask_an_engine_that_cannot_score(state: ToxicityState) -> None:
    class NotReady:
        status = ToxicityStatus(state, "not yet", variant="test", runtime="none")
        calls = 0

        async def score(self, texts: list[str]) -> list[ToxicityResult]:
            NotReady.calls += 1
            return [_tox({"toxicity": 0.9}) for _ in texts]

    verdicts = await Analyzer(PolicyConfig(use_learned_heads=False), engine=NotReady()).analyze(["a"])
    assert verdicts[0].scores["toxicity"] is None and NotReady.calls == 0
