"""Side-symmetric head inputs: canonical side words plus the left/right mirror, averaged by the analyzer."""

from __future__ import annotations

import dataclasses

import numpy as np

from bot.analysis.analyzer import Analyzer
from bot.analysis.config import PolicyConfig
from bot.analysis.heads import Embedder, HeadSet, sided_variants


def test_a_text_and_its_swap_give_the_same_pair() -> None:
    left = sided_variants("@USER the dems and their libtard voters lied again https://t.co/x")
    right = sided_variants("@USER the GOP and their MAGAt voters lied again https://t.co/y")
    assert left == ("Democrats and their libtards voters lied again",
                    "Republicans and their MAGAts voters lied again")
    assert right == left[::-1]


def test_an_article_before_a_group_does_not_tell_the_sides_apart() -> None:
    assert sided_variants("the Proud Boys are loud") == sided_variants("antifa are loud")[::-1]
    assert sided_variants("The dems are loud") == ("Democrats are loud", "Republicans are loud")


def test_politicians_unknown_sides_and_plain_text() -> None:
    assert sided_variants("nothing political here, just lunch") == ("nothing political here, just lunch",)
    assert sided_variants("Pelosi said the left is right") == (
        "the politician said liberals is right", "the politician said conservatives is right")
    assert sided_variants("Senator Warren spoke") == ("the politician spoke",)  # no side word: one variant
    assert sided_variants("Trump supporters are loud") == ("Trump supporters are loud", "Biden supporters are loud")


class SpyEmbedder(Embedder):
    """The real MiniLM embedder, recording what it was asked to embed."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.seen: list[str] = []

    def embed(self, texts):  # type: ignore[no-untyped-def]
        self.seen.extend(texts)
        return super().embed(texts)


def _analyzer(mode: str) -> tuple[Analyzer, SpyEmbedder]:
    heads = HeadSet.load()
    heads = dataclasses.replace(heads, meta={**heads.meta, "text_mode": mode})
    spy = SpyEmbedder(heads.lora, heads.lora_scale)
    return Analyzer(PolicyConfig(sentence_level=False), heads=heads, embedder=spy), spy


def test_analyzer_scores_sided_heads_on_both_mirrors_and_averages() -> None:
    analyzer, spy = _analyzer("sided")
    a, b = analyzer.signals(["the democrats ruin everything", "the republicans ruin everything"])
    assert set(spy.seen) == {"Democrats ruin everything", "Republicans ruin everything"}
    assert a.head_scores == b.head_scores  # exactly symmetric, by construction
    embedded = spy.embed(["Democrats ruin everything", "Republicans ruin everything"])
    probs = analyzer._heads.predict(embedded)  # type: ignore[union-attr]
    assert np.isclose(a.head_scores["intolerance"], probs["intolerance"].mean(), atol=1e-6)


def test_analyzer_with_masked_heads_embeds_placeholders() -> None:
    analyzer, spy = _analyzer("masked")
    analyzer.signals(["the democrats ruin everything"])
    assert spy.seen == ["the partisans ruin everything"]
