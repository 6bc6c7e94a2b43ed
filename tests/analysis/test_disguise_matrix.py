"""Disguise matrix: disguised variants of flagged sentences normalize back to the plain sentence's words."""

from __future__ import annotations

import re

from bot.analysis.normalize import normalize
from tests.analysis.disguises import KINDS, disguise_variants, key_words

SENTENCES = (
    "This is what happens when you elect democrats, they ruin everything.",
    "You are a complete idiot and a moron.",
    "Republicans are vermin and should be wiped out.",
    "Shut up you stupid bitch.",
)


def _flat(text: str) -> str:
    return " ".join(text.casefold().split())


def _survives(sentence: str, variant: str) -> bool:
    plain = _flat(normalize(sentence).normalized)
    got = _flat(normalize(variant).normalized)
    return got == plain or all(re.search(rf"\b{re.escape(w.casefold())}\b", got) for w in key_words(sentence))


def test_generator_covers_the_disguise_kinds() -> None:
    assert len(KINDS) >= 17
    for sentence in SENTENCES:
        variants = disguise_variants(sentence)
        assert len(variants) == len(KINDS)
        assert all(variant != sentence for _, variant in variants)


def test_disguise_matrix_keeps_95_percent() -> None:
    results = [(kind, variant, _survives(sentence, variant))
               for sentence in SENTENCES for kind, variant in disguise_variants(sentence)]
    assert len(results) >= 68
    kept = sum(ok for _, _, ok in results)
    rate = kept / len(results)
    failures = [f"{kind}: {variant!r} -> {normalize(variant).normalized!r}" for kind, variant, ok in results if not ok]
    assert rate >= 0.95, f"{kept}/{len(results)} = {rate:.1%} kept; lost:\n" + "\n".join(failures)


def test_disguise_matrix_report(capsys: object) -> None:
    """Every kind is recovered for at least 3 of the 4 sentences (no disguise kind is blind)."""
    lost: dict[str, int] = {}
    for sentence in SENTENCES:
        for kind, variant in disguise_variants(sentence):
            if not _survives(sentence, variant):
                lost[kind] = lost.get(kind, 0) + 1
    assert all(count <= 1 for count in lost.values()), lost
