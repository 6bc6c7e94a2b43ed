"""Normalizer against disguises (issue 12, item 3): spaced letters, lookalike words, RTL overrides, leet and
punctuation inside words are undone; ordinary text, Russian and Greek are left alone; odd input never raises."""

from __future__ import annotations

import random
import time

import pytest

from bot.analysis.normalize import normalize


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("What a m o r o n.", "What a moron."),
        ("You are a i d i o t", "You are a idiot"),
        ("I d i o t", "Idiot"),
        ("a s s", "ass"),
        ("k y s", "kys"),
        ("You are a c o m p l e t e m o r o n", "You are a complete moron"),
        ("elect d e m o c r a t s now", "elect democrats now"),
        ("what a m.o.r.o.n.", "what a moron."),
        ("u r a star", "u r a star"),  # chat, not a disguise
        ("F O R D", "FORD"),  # no lexicon word inside: joined whole, not "FOR D"
    ],
)
def test_spaced_letters_join_into_words(text: str, expected: str) -> None:
    assert normalize(text).normalized == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("іdіоt", "idiot"),  # Cyrillic і, і, о inside a Latin word
        ("morоn", "moron"),
        ("Dеmосrаts аrе vеrmіn", "Democrats are vermin"),
        ("аrе", "are"),  # every letter Cyrillic
        ("Уоu аrе а соmрӏеtе іԁіоt", "You are a complete idiot"),  # whole words, Cyrillic-majority text
        ("Тһіѕ іѕ ԝһаt һарреnѕ", "This is what happens"),
        ("ѕсum", "scum"),
        ("Rерublісаns аrе ѕсum", "Republicans are scum"),
    ],
)
def test_lookalike_words_fold_to_latin(text: str, expected: str) -> None:
    result = normalize(text)
    assert result.normalized == expected
    assert "lookalikes" in result.notes


RUSSIAN = [
    "привет", "Москва", "Привет всем, сука", "он сказал ок", "сок", "горе", "ухо", "орех", "сахар", "рак",
    "Как дела?", "Спасибо, всё хорошо", "Она поехала в Москву", "Это был очень хороший день",
    "Я не согласен с этой статьёй", "Выборы в Думу прошли спокойно", "Сор", "оба", "раса", "Хорошо, а ты?",
    "С уважением, Сергей", "Слава Украине", "Καλημέρα σας", "ορος", "Ρόδος", "Αθήνα",
]


@pytest.mark.parametrize("text", RUSSIAN)
def test_genuine_cyrillic_and_greek_stay(text: str) -> None:
    result = normalize(text)
    assert result.normalized == text.strip()
    assert "lookalikes" not in result.notes


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("you \u202etoidi\u202c", "you idiot"),
        ("\u202e.toidi na era uoY", "You are an idiot."),  # override to the end of the text
        ("a \u202enorom\u202c and a \u202etoidi\u202c!", "a moron and a idiot!"),
        ("line one\n\u202etoidi\nline two", "line one\nidiot\nline two"),  # a line end closes the override
    ],
)
def test_rtl_override_is_read_in_display_order(text: str, expected: str) -> None:
    result = normalize(text)
    assert result.normalized == expected
    assert "rtl-override" in result.notes


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("i*iot", "idiot"), ("m*ron", "moron"), ("id*ot", "idiot"), ("f*ck", "fuck"), ("sh!t", "shit"),
        ("s**t", "shit"), ("f**k off", "fuck off"), ("d3mocrats", "democrats"), ("d3m0crats", "democrats"),
        ("r3publicans", "republicans"), ("l1bt4rds", "libtards"), ("R3PUBL1C4NS", "republicans"),
        ("l!b3r4ls", "liberals"), ("c0ns3rvat1ves", "conservatives"), ("m4g4", "maga"), ("tr*mp", "trump"),
        ("mor.on", "moron"), ("id-iot", "idiot"), ("i.d.i.o.t", "idiot"), ("demo.crats", "democrats"),
        ("Repub-licans", "republicans"), ("ver~min", "vermin"), ("i1111d107", "idiot"), ("m00000r0n", "moron"),
        ("stuuuuupid", "stupid"), ("b!tch*", "bitch*"),
    ],
)
def test_leet_asterisk_and_inner_punctuation_repaired(text: str, expected: str) -> None:
    assert normalize(text).normalized == expected


@pytest.mark.parametrize(
    "text",
    [
        "U.S.", "e.g.", "i.e.", "3.14", "9/11", "C++", "@someone", "mail john.doe@example.com", "at 5:30",
        "$5", "R2-D2", "COVID-19", "U.S.S.R.", "F.B.I. agents", "a.m.", "sex-ed class", "dumb-ass", "he'll",
        "we'd", "and/or", "10000 people", "1st 2nd 3rd", "mp3 4k b4", "it's 3:00 p.m.", "x86-64", "co-op",
        "re-elect", "node.js", "v1.2.3", "snake_case_name", "C#", "50%", "#1", "A+", "T-shirt", "vote 4 me",
        "the U.S. and e.g. the U.K.", "bitch*", "got that I.T.S", "deemed", "ratted", "liberally", "pussy**",
    ],
)
def test_ordinary_text_is_not_repaired(text: str) -> None:
    assert normalize(text).normalized == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mor\u200bon", "moron"), ("mor\x00on", "moron"), ("m\x00o\x00r\x00o\x00n", "moron"),
        ("a s\x00t\x00u\x00p\x00i\x00d b\x00i\x00t\x00c\x00h", "a stupid bitch"), ("id\u00adiot", "idiot"),
        ("**idiot**", "idiot"), ("__moron__", "moron"), ("||democrats||", "democrats"), ("~~vermin~~", "vermin"),
        ("||**d3m0cr4ts**||", "democrats"), ("YOU ARE AN IDIOT", "YOU ARE AN IDIOT"),
    ],
)
def test_separators_markdown_and_case(text: str, expected: str) -> None:
    assert normalize(text).normalized == expected


HOSTILE = [
    "\ud800", "a\ud800b", "\udfff\ud800 idiot", "\x00", "\x00" * 50, "idiot\x00", "x" * 5000, "word " * 1000,
    "a " * 3000, "a." * 3000, "*a " * 2000, "_a " * 2000, "~~a " * 1500, "||a " * 1500, "f4ck " * 1000,
    "z\u0301\u0302\u0303\u0304\u0305" * 800, "\u202e" + "toidi " * 800, "\u202e" * 100, "\u202c\u202e\u202c",
    "😀" * 3000, "🇫🇺🇨🇰" * 500, bytes(range(256)).decode("latin-1"), "\ufeff\u200b\u2060" * 100,
    "i1" * 2500 + "d", "1" * 5000, "аео " * 1500, "<@123456789012345678> " * 200, "`" * 4001, "|" * 4001,
]


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_input_never_raises_and_stays_fast(text: str) -> None:
    start = time.perf_counter()
    result = normalize(text)
    assert time.perf_counter() - start < 2.0
    assert result.original == text
    result.normalized.encode("utf-8")  # no lone surrogates left
    assert "\x00" not in result.normalized


def test_random_code_points_never_raise() -> None:
    rng = random.Random(12)
    pools = [
        (0x0, 0x7F), (0x80, 0x2FFF), (0x0400, 0x04FF), (0x0300, 0x036F), (0x2000, 0x206F), (0xD800, 0xDFFF),
        (0xE000, 0xF8FF), (0xFF00, 0xFFEF), (0x1D400, 0x1D7FF), (0x1F300, 0x1FAFF), (0xE0000, 0xE007F),
        (0x10000, 0x10FFFF),
    ]
    for _ in range(2000):
        length = rng.choice((0, 1, 2, 5, 20, 80, 300))
        chars = []
        for _ in range(length):
            lo, hi = rng.choice(pools)
            chars.append(chr(rng.randint(lo, hi)))
        text = "".join(chars)
        result = normalize(text)
        assert result.original == text
        result.normalized.encode("utf-8")


def test_typical_chat_stays_fast() -> None:
    lines = [
        "hey everyone, what's up?", "lol that was so funny 😂", "did you see the game last night", "brb",
        "I think the new policy is a good idea, but the rollout was rushed.", "gg wp", "@mod can you pin this?",
        "Meeting moved to 5:30, bring snacks!!", "nooooo way", "check https://example.com/x for details",
        "The senator's vote on the bill surprised me tbh", "**important**: read the rules", "ok 👍",
    ]
    texts = [f"{lines[i % len(lines)]} #{i}" for i in range(1000)]
    start = time.perf_counter()
    for text in texts:
        normalize(text)
    assert time.perf_counter() - start < 5.0  # about 0.1 s on an idle core; generous for a loaded CI box
