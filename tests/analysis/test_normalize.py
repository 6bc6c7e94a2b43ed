"""Text normalization: each evasion is undone, legitimate scripts survive, odd input never raises."""

from __future__ import annotations

import random

import pytest

from bot.analysis.normalize import NormalizedText, normalize


@pytest.mark.parametrize(
    ("text", "expected", "note"),
    [
        ("f\u200bu\u200cc\u200dk you", "fuck you", "invisible-characters"),
        ("i\u2060d\ufeffi\u00ado\u180et", "idiot", "invisible-characters"),
        ("ｆｕｃｋ ｙｏｕ", "fuck you", "compatibility-forms"),
        ("𝐟𝐮𝐜𝐤 𝖞𝖔𝖚", "fuck you", "compatibility-forms"),
        ("ⓕⓤⓒⓚ", "fuck", "compatibility-forms"),
        ("уоu аrе аn іdіоt", "you are an idiot", "lookalikes"),  # Cyrillic letters inside Latin words
        ("ѕһіt", "shit", "lookalikes"),
        ("you're an ɪᴅɪᴏᴛ", "you're an idiot", "lookalikes"),  # small capitals
        ("🇫🇺🇨🇰 you", "FUCK you", "lookalikes"),  # regional indicator letters
        ("f4ck off", "fuck off", "leetspeak"),
        ("$h1t", "shit", "leetspeak"),
        ("@ss", "ass", "leetspeak"),
        ("sh*t", "shit", "leetspeak"),
        ("b!tch", "bitch", "leetspeak"),
        ("a$$hole", "asshole", "leetspeak"),
        ("h3ll0 w0rld", "hello world", "leetspeak"),
        ("f u c k you", "fuck you", "spaced-letters"),
        ("f.u.c.k you", "fuck you", "spaced-letters"),
        ("f-u-c-k", "fuck", "spaced-letters"),
        ("k y s", "kys", "spaced-letters"),
        ("fuuuuuck", "fuck", "repeated-letters"),
        ("shiiiit", "shit", "repeated-letters"),
        ("goooood morning", "good morning", "repeated-letters"),
        ("||fuck you||", "fuck you", "markdown"),
        ("**idiot**", "idiot", "markdown"),
        ("__idiot__ and *moron*", "idiot and moron", "markdown"),
        ("~~stupid~~", "stupid", "markdown"),
        ("`moron`", "moron", "markdown"),
        ("```py\nprint('idiot')```", "print('idiot')", "markdown"),
        ("> quoted idiot", "quoted idiot", "markdown"),
        ("check https://example.com/x?y=1 now", "check now", "links"),
        ("[click here](https://example.com)", "click here", "links"),
        ("<@123456789012345678> hi", "@user hi", "mentions"),
        ("<@!123456789012345678> hi", "@user hi", "mentions"),
        ("<#123456789012345678> sucks", "#channel sucks", "mentions"),
        ("<@&123456789012345678> idiots", "@role idiots", "mentions"),
        ("<:fuck_you:123456789012345678>", "fuck you", "custom-emoji"),
        ("<a:dance:123456789012345678> yay", "dance yay", "custom-emoji"),
        ("f̸̢͇̈́u̷͚̔c̶̛̗k̷̰̈́ you", "fuck you", "zalgo"),
    ],
)
def test_evasion_is_undone(text: str, expected: str, note: str) -> None:
    result = normalize(text)
    assert result.normalized == expected
    assert note in result.notes
    assert result.original == text  # the original is kept for display


@pytest.mark.parametrize(
    "text",
    [
        "مرحبا بالجميع، شكرا على الخبر",  # Arabic
        "שָׁלוֹם לכולם",  # Hebrew with vowel points
        "大家好，谢谢分享这篇新闻。",  # CJK (fullwidth punctuation may fold)
        "Привет всем, сука",  # Cyrillic text stays Cyrillic
        "می\u200cخواهم",  # Persian: the zero-width non-joiner is spelling and stays
        "café crème déjà vu",
        "Tiếng Việt có dấu",
        "नमस्ते दुनिया",
        "Καλημέρα σας",
    ],
)
def test_legit_scripts_survive(text: str) -> None:
    result = normalize(text)
    letters = [ch for ch in text if ch.isalpha()]
    kept = [ch for ch in result.normalized if ch.isalpha()]
    assert kept == letters
    assert "lookalikes" not in result.notes and "zalgo" not in result.notes


def test_rtl_marks_removed_but_text_intact() -> None:
    result = normalize("\u202bשלום\u202c idiot")
    assert result.normalized == "שלום idiot"


@pytest.mark.parametrize(
    ("text", "note"),
    [("", "empty"), ("   \n ", "empty"), (None, "empty"), ("😀😀🔥", "emoji-only"), ("!!! ...", "no-text"),
     ("\x00\x01\x02\x03\xff\xfe garbage \x04\x05", "binary"), (b"\xff\xfe\x00\x01\x02\x03\x04", "binary")],
)
def test_nothing_to_score_is_defined(text: object, note: str) -> None:
    result = normalize(text)
    assert isinstance(result, NormalizedText)
    assert result.normalized == "" and result.empty
    assert note in result.notes


def test_ordinary_text_is_untouched() -> None:
    text = "I read the article on the 2nd vote; mp3 4k covid19 b4 lunch, mail john@example.com. u r a star"
    result = normalize(text)
    assert result.normalized == text
    assert result.notes == ()


def test_flags_and_snake_case_survive() -> None:
    assert normalize("🇺🇸 flag").normalized == "🇺🇸 flag"
    assert normalize("see snake_case_name").normalized == "see snake_case_name"


def test_truncation_note() -> None:
    result = normalize("word " * 100, max_chars=50)
    assert "truncated" in result.notes and len(result.normalized) <= 50


def test_random_garbage_never_raises() -> None:
    rng = random.Random(7)
    alphabet = [chr(c) for c in range(0x0, 0x2FFF)] + ["\U0001f600", "\U0001d41f", "\ud800", "\U000e0041"]
    for _ in range(300):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 60)))
        result = normalize(text)
        assert isinstance(result.normalized, str)
        assert result.original == text
