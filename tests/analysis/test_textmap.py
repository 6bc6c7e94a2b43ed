"""One normalization feeds every detector; evidence maps back onto what the member wrote; nothing raises."""

from __future__ import annotations

import random

import pytest

from bot.analysis.spans import char_f1, merge, occlusion_spans
from bot.analysis.textmap import prepare, sanitize

HOSTILE = ["\ud800", "a\ud800b", "\udfff idiot", "mor\x00on", "x" * 4000 + " idiot", "Z̴̡̛a̸l̷g̶o̵" * 50,
           "\u202eyou are an toidi\u202c", "😀" * 200, "", "   ", "\x00\x01\x02", "שלום עולם", "مرحبا"]


@pytest.mark.parametrize("text", HOSTILE)
def test_prepare_never_raises_and_is_valid_utf8(text: str) -> None:
    prep = prepare(text)
    prep.scored.encode("utf-8")
    assert prep.original == text
    s, e = prep.to_original(0, len(prep.scored))
    assert 0 <= s <= e <= len(text)


def test_sanitize_drops_surrogates_and_controls() -> None:
    assert sanitize("a\ud800b\x00c\x7fd\ne") == "abcd\ne"


def test_random_code_points_never_break_prepare() -> None:
    rng = random.Random(7)
    for _ in range(300):
        text = "".join(chr(rng.choice([rng.randrange(0, 0x2FF), rng.randrange(0xD800, 0xE000),
                                       rng.randrange(0x0300, 0x036F), rng.randrange(0x1F300, 0x1F6FF)]))
                       for _ in range(rng.randrange(0, 60)))
        prep = prepare(text)
        prep.scored.encode("utf-8")
        s, e = prep.to_original(0, len(prep.scored))
        assert 0 <= s <= e <= len(text)


def test_evidence_maps_back_to_the_members_words() -> None:
    prep = prepare("This is what happens when you elect democrats… (name a war)")
    assert prep.scored.startswith("This is what happens when you elect democrats...")
    assert prep.original_text(0, prep.scored.index("(") - 1) == "This is what happens when you elect democrats…"
    prep = prepare("You are a complete **idiot** and a moron.")
    at = prep.scored.index("idiot")
    assert prep.original_text(at, at + 5) == "idiot"


def test_unchanged_text_maps_to_itself() -> None:
    prep = prepare("Plain words here.")
    assert not prep.changed and prep.to_original(6, 11) == (6, 11)


def test_char_f1_matches_the_semeval_definition() -> None:
    assert char_f1([(0, 5)], [(0, 5)]) == 1.0
    assert char_f1([], []) == 1.0 and char_f1([(0, 1)], []) == 0.0 and char_f1([], [(0, 1)]) == 0.0
    assert char_f1([(0, 10)], [(5, 10)]) == pytest.approx(2 * 0.5 * 1.0 / 1.5)


def test_merge_joins_neighbours() -> None:
    text = "you stupid, ugly idiot"
    assert merge([(4, 10), (12, 16), (17, 22)], text) == [(4, 22)]
    assert merge([(0, 3), (17, 22)], text) == [(0, 3), (17, 22)]


def test_occlusion_finds_the_word_that_carries_the_score() -> None:
    def score(texts: list[str]) -> list[float]:
        return [0.9 if "idiot" in t else 0.1 for t in texts]

    text = "honestly you are an idiot today"
    spans = occlusion_spans(text, score)
    assert [text[s:e] for s, e in spans] == ["idiot"]
    assert occlusion_spans("nothing here", lambda ts: [0.5] * len(ts)) == []
