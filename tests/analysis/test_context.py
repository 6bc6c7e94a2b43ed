"""A reply judged with what it answers (issue 15 item 1): the typed context, its plumbing, and how it is used.

Offline: a lexicon-only analyzer, and one with small made-up heads over a hashing embedder (no MiniLM weights).
"""

from __future__ import annotations

import hashlib

import numpy as np
import pytest
from support.keyword_scorer import KeywordTestScorer

from bot.analysis.analyzer import Analyzer
from bot.analysis.config import PolicyConfig
from bot.analysis.context import MessageContext, check_contexts, context_groups, resolve_targets
from bot.analysis.heads import EMBED_DIM, Embedder, HeadSet
from bot.analysis.scorer import AnalyzerScorer
from bot.analysis.targets import find_targets
from bot.moderation.scoring import Assessment

REPLY = "these people are destroying this country"
PARTISAN_PARENT = MessageContext(parent="Democrats are ruining everything, as usual")
NEWS_HEADS = ["impoliteness", "intolerance", "toxicity", "insult", "profane", "identity_attack", "threat", "hateful"]
TEXTS = [
    REPLY,
    "exactly, lock them all up",
    "they make a good point",
    "The Republicans are at it again. They never learn!",
    "Nice weather today. See you at the game.",
]
CONTEXTS = [
    PARTISAN_PARENT,
    MessageContext(parent="The GOP rigged the vote", title="Senate race recount"),
    MessageContext(parent="Democrats passed the bill today"),
    MessageContext(parent="Democrats say the recount is over"),
    MessageContext(title="Liberals and conservatives agree on the budget"),
]
# a lower partisan threshold so the lexicon-only analyzer (no heads) can reach it in a test
LEXICON = PolicyConfig(use_learned_heads=False, partisan_threshold=0.6)


class HashEmbedder(Embedder):
    """A deterministic stand-in for MiniLM (unit vectors from a hash of the text), recording what it embedded."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[str] = []

    @property
    def loaded(self) -> bool:
        return True

    def load(self) -> None:
        return None

    def embed(self, texts: list[str]) -> np.ndarray:
        self.seen.extend(texts)
        rows = []
        for text in texts:
            seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "little")
            v = np.random.default_rng(seed).standard_normal(EMBED_DIM).astype(np.float32)
            rows.append(v / np.linalg.norm(v))
        return np.stack(rows)


def tiny_heads_analyzer() -> tuple[Analyzer, HashEmbedder]:
    rng = np.random.default_rng(7)
    heads = HeadSet(NEWS_HEADS, rng.standard_normal((EMBED_DIM, len(NEWS_HEADS))).astype(np.float32) * 3,
                    np.zeros(len(NEWS_HEADS), dtype=np.float32), meta={"text_mode": "sided"})
    embedder = HashEmbedder()
    return Analyzer(PolicyConfig(), heads=heads, embedder=embedder), embedder


@pytest.mark.parametrize("build", ["lexicon", "heads"])
def test_texts_without_context_score_exactly_as_before(build: str) -> None:
    analyzer = Analyzer(LEXICON) if build == "lexicon" else tiny_heads_analyzer()[0]
    if build == "heads":
        assert analyzer.status["heads"] == "ok"
    before = analyzer.signals(TEXTS)
    assert analyzer.signals(TEXTS, contexts=None) == before
    assert analyzer.signals(TEXTS, contexts=[None] * len(TEXTS)) == before
    assert analyzer.signals(TEXTS, contexts=[MessageContext()] * len(TEXTS)) == before
    # a context that names no side, or a reply that names its own side / has no group pronoun: unchanged
    calm = [MessageContext(parent="what a lovely day", title="Local bakery wins a prize")] * len(TEXTS)
    assert analyzer.signals(TEXTS, contexts=calm) == before
    assert analyzer.analyze_sync(TEXTS, contexts=[None] * len(TEXTS)) == analyzer.analyze_sync(TEXTS)


def test_the_heads_read_the_reply_alone_even_with_context() -> None:
    analyzer, embedder = tiny_heads_analyzer()
    alone = analyzer.signals(TEXTS)
    seen_alone = set(embedder.seen)
    analyzer._cache.clear()
    embedder.seen.clear()
    with_ctx = analyzer.signals(TEXTS, contexts=CONTEXTS)
    assert set(embedder.seen) == seen_alone
    assert [s.head_scores for s in with_ctx] == [s.head_scores for s in alone]
    assert [s.inflammatory for s in with_ctx] == [s.inflammatory for s in alone]


def test_a_pronoun_reply_under_a_partisan_parent_is_read_as_aimed_at_that_side() -> None:
    analyzer = Analyzer(LEXICON)
    [alone] = analyzer.analyze_sync([REPLY])
    [replied] = analyzer.analyze_sync([REPLY], contexts=[PARTISAN_PARENT])
    assert "partisan" not in alone.labels and (alone.scores["partisan"] or 0) < 0.2
    assert "partisan" in replied.labels and (replied.scores["partisan"] or 0) >= 0.6
    assert '"these people" (left)' in " ".join(replied.reasons)
    # the article title is used when there is no parent, the parent wins over the title
    [titled] = analyzer.analyze_sync([REPLY], contexts=[MessageContext(title="Republicans block the bill")])
    assert "partisan" in titled.labels and '"these people" (right)' in " ".join(titled.reasons)
    [both] = analyzer.analyze_sync([REPLY], contexts=[MessageContext(parent="the GOP again", title="Democrats")])
    assert '"these people" (right)' in " ".join(both.reasons)


def test_context_is_not_used_where_it_cannot_be_resolved() -> None:
    analyzer = Analyzer(LEXICON)
    [alone] = analyzer.analyze_sync([REPLY])
    # the parent names both sides: "these people" could be either
    [ambiguous] = analyzer.analyze_sync([REPLY], contexts=[MessageContext(parent="Democrats and Republicans agree")])
    assert ambiguous == alone
    # a friendly reply stays calm: the inherited side only gates hostility that is there
    [friendly] = analyzer.analyze_sync(["they make a good point"], contexts=[PARTISAN_PARENT])
    assert not friendly.flagged


def test_resolve_targets_marks_group_pronouns_only() -> None:
    text = "you said they lie, and their voters too"
    added = resolve_targets(text, find_targets(text), PARTISAN_PARENT)
    assert [(t.text, t.side, t.group) for t in added] == [("they", "left", True), ("their", "left", True)]
    own = "the libs lie and they know it"
    assert resolve_targets(own, find_targets(own), MessageContext(parent="Republicans")) == find_targets(own)
    assert resolve_targets("they lie", [], None) == []
    assert [t.side for t in context_groups(MessageContext(parent="MAGA voters", title="Democrats"))] == ["right"]
    assert context_groups(MessageContext(parent="nothing political")) == ()


def test_contexts_must_match_the_texts() -> None:
    with pytest.raises(ValueError, match="contexts has 1 items but there are 2 texts"):
        check_contexts([None], 2)
    with pytest.raises(TypeError):
        check_contexts(["the parent"], 1)  # type: ignore[list-item]
    with pytest.raises(ValueError):
        Analyzer(LEXICON).analyze_sync(["a", "b"], contexts=[PARTISAN_PARENT])


async def test_async_analyze_and_the_scorer_pass_contexts_through() -> None:
    analyzer = Analyzer(LEXICON)
    [alone], [replied] = await analyzer.analyze([REPLY]), await analyzer.analyze([REPLY], contexts=[PARTISAN_PARENT])
    assert "partisan" not in alone.labels and "partisan" in replied.labels
    with pytest.raises(ValueError):
        await analyzer.analyze([REPLY], contexts=[])
    scorer = AnalyzerScorer(analyzer)
    [plain] = await scorer.analyze([REPLY], policy=LEXICON)
    [ctx] = await scorer.analyze([REPLY], policy=LEXICON, contexts=[PARTISAN_PARENT])
    assert "partisan" not in plain.labels and "partisan" in ctx.labels
    assert await scorer.analyze([REPLY], policy=LEXICON, contexts=[None]) == [plain]
    with pytest.raises(ValueError):
        await scorer.analyze([REPLY, REPLY], contexts=[None])
    await analyzer.close()


async def test_the_scorer_adapter_forwards_contexts_to_the_analyzer() -> None:
    seen: list[object] = []

    class SpyAnalyzer(Analyzer):
        async def analyze(self, texts, toxicity=None, *, config=None, contexts=None):  # type: ignore[no-untyped-def]
            seen.append(contexts)
            return await super().analyze(texts, toxicity, config=config, contexts=contexts)

    scorer = AnalyzerScorer(SpyAnalyzer(LEXICON))
    await scorer.analyze(["hello"])
    await scorer.analyze(["hello"], contexts=[PARTISAN_PARENT])
    assert seen == [None, [PARTISAN_PARENT]]


async def test_the_test_double_accepts_contexts() -> None:
    scorer = KeywordTestScorer()
    assert await scorer.analyze(["flagme now"], contexts=[PARTISAN_PARENT]) == await scorer.analyze(["flagme now"])
    assert (await scorer.analyze(["calm"], contexts=[None]))[0] == Assessment(False, scores={"keyword": 0.0})
    with pytest.raises(ValueError):
        await scorer.analyze(["a", "b"], contexts=[None])
