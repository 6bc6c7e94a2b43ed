"""The policy's separations, as a table of cases moderators would agree on (real heads, default policy).

Swearing that targets no one is not an attack; criticism of a party's policy is not hostility towards its
members; praise of one's own side is not an attack on the other. Profanity flags only when an operator asks.
"""

from __future__ import annotations

import pytest

from bot.analysis.analyzer import Analyzer
from bot.analysis.config import PolicyConfig

pytestmark = pytest.mark.slow

# (text, labels that must be given; [] = must not be flagged)
CASES = [
    # swearing, aimed at no one
    ("This is f***ing great news, congrats to the whole team!", []),
    ("Holy shit, what a game last night.", []),
    ("Damn, that's a hell of a result for the city.", []),
    # criticism of a party's policy, calm opinions naming a party
    ("The Republican tax plan will hurt renters and the middle class.", []),
    ("I think the Democrats' immigration bill goes too far.", []),
    ("The GOP's position on tariffs makes no economic sense to me.", []),
    ("The Republican bill passed the Senate yesterday, 52 to 48.", []),
    # praise of one's own side
    ("Democrats are a big tent party and I'm proud to vote for them.", []),
    ("Conservatives in my town organized a great food drive this weekend.", []),
    # attacks on people
    ("You are a complete idiot and a moron.", ["inflammatory"]),
    ("Shut up you stupid bitch.", ["inflammatory"]),
    ("Anyone who believes this is a brainless clown.", ["inflammatory"]),
    # hostility towards a side as a group
    ("This is what happens when you elect democrats, they ruin everything.", ["partisan"]),
    ("Democrats are traitors who hate this country.", ["partisan"]),
    ("Republicans are vermin and should be wiped out.", ["partisan"]),
    ("Liberals are all brainwashed idiots.", ["partisan"]),
]



@pytest.mark.parametrize(("text", "labels"), CASES, ids=[c[0][:40] for c in CASES])
def test_case(analyzer: Analyzer, text: str, labels: list[str]) -> None:
    verdict = analyzer.analyze_sync([text])[0]
    if not labels:
        assert not verdict.flagged, verdict.to_dict()
    else:
        assert verdict.flagged and set(labels) <= set(verdict.labels), verdict.to_dict()


def test_profanity_flags_only_when_the_operator_turns_it_on(analyzer: Analyzer) -> None:
    text = "This is f***ing great news, congrats to the whole team!"
    assert not analyzer.analyze_sync([text])[0].flagged
    on = analyzer.config.merged({"flag_profanity": True})
    verdict = analyzer.analyze_sync([text], config=on)[0]
    assert verdict.labels == ["profanity"] and verdict.severity == "low", verdict.to_dict()
    assert any("fucking" in w.lower() or "f***ing" in w.lower() for w in verdict.evidence[0].words)


def test_attack_evidence_names_the_words(analyzer: Analyzer) -> None:
    verdict = analyzer.analyze_sync(["Honestly, after reading your post, you are a complete idiot."])[0]
    assert verdict.flagged
    ev = verdict.evidence[0]
    assert "idiot" in " ".join(ev.words), ev.to_dict()
    assert any('[words: "' in r and "idiot" in r for r in verdict.reasons)


def test_lexicon_only_policy_never_flags_profanity() -> None:
    lexicon = Analyzer(PolicyConfig(use_learned_heads=False, flag_profanity=True))
    assert not lexicon.analyze_sync(["Holy shit, what a game."])[0].flagged
