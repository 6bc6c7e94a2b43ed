"""Word lists and lexicon matching for :mod:`bot.analysis.normalize`.

``LEXICON`` holds the words people disguise (insults, slurs, threats and the political target words); a leet /
asterisk / punctuation repair is only applied when it produces one of these (plus a suffix). ``COMMON`` is a small
list of frequent English words, used only to pick a segmentation of spaced-out letters ("a m o r o n" -> "a moron")
and to decide whether a word written entirely in Cyrillic/Greek lookalike letters is English.
"""

from __future__ import annotations

import re
from functools import lru_cache

_LEXICON_ORDER = tuple(dict.fromkeys("""
fuck fucker fuckers fucking fucked motherfucker shit shitty bullshit bitch bitches ass asshole arse dumbass
jackass bastard cunt dick dickhead cock pussy whore slut twat wanker prick douche jerk crap piss damn hell
idiot idiots moron morons stupid dumb loser losers retard retarded kill die rape hate nazi scum trash suck
sucks nigger nigga fag faggot kys stfu gtfo wtf porn sex penis tits bitchass fuckface shithead
imbecile cretin dimwit halfwit nitwit dipshit dumbfuck scumbag vermin parasite parasites traitor traitors
degenerate degenerates subhuman filth garbage pathetic worthless disgusting ugly fat freak clown clowns tard
skank thot bimbo cuck cucks pig pigs rat rats cockroach cockroaches animal animals savage savages
exterminate eradicate purge wipe wiped murder hang lynch shoot ruin ruined ruins shut
democrat democrats dem dems democratic republican republicans repub repubs liberal liberals libtard libtards
conservative conservatives leftist leftists rightist rightists gop maga trump trumpers trumptard trumptards
biden obama hillary clinton pelosi commie commies communist communists socialist socialists fascist
fascists marxist marxists antifa snowflake snowflakes democrap democraps demonrat demonrats republicunt
republicunts libs lib conservatard conservatards rethuglican rethuglicans
""".split()))  # most common first: "s**t" reads as "shit", not "scum"
LEXICON = frozenset(_LEXICON_ORDER)
SUFFIXES = ("", "s", "es", "ed", "er", "ers", "ing", "in", "y", "hole", "head", "face")
LEXICON_FORMS = frozenset(word + suffix for word in LEXICON for suffix in SUFFIXES)

COMMON = frozenset("""
a i ok oh the be to of and in that have it for not on with he as you do at this but his by from
they we say her she or an will my one all would there their what so up out if about who get which go me
when make can like time no just him know take people into year your good some could them see other than
then now look only come its over think also back after use two how our work first well way even new want
because any these give day most us is are was were been has had did does done am said says going got
very much more many such here where why should must may might shall let thing things everything nothing
something anything everyone someone nobody every each both few own same too off down again still never
always really right left big small long old great little last next bad best better worst worse sure true
complete completely total totally elect elected happens happen happened vote votes voted should country
man men woman women kid kids guy guys person party parties government politics political president
love stop please thanks thank hello hi hey yes yeah lol go gone away stay out fight dead death hate kill
""".split())

# What a leet character may stand for when matching the lexicon ("f4ck", "sh*t", "f0ck" hide a vowel;
# "i*iot" hides a consonant: an asterisk may be any letter).
LEET: dict[str, str] = {"4": "a", "@": "a", "3": "e", "€": "e", "1": "i", "!": "i", "|": "l", "0": "o",
                        "$": "s", "5": "s", "7": "t", "+": "t", "9": "g", "8": "b", "(": "c", "¢": "c"}
_VOWELS = "aeiou"
LEET_OPTIONS: dict[str, str] = {
    ch: "".join(dict.fromkeys(LEET.get(ch, "") + ("il" if ch in "1!|" else "") + (_VOWELS if ch in "4@0!1" else "")))
    for ch in LEET
}
LEET_OPTIONS["*"] = _VOWELS + "bcdfghjklmnpqrstvwxyz"
# Punctuation people put inside a word ("mor.on", "id-iot", "sh~it"); apostrophes are spelling and never removed.
INNER_PUNCT = ".-_·•~^,:;/\\"
_INNER_PUNCT_RE = re.compile(rf"(?<=\w)[{re.escape(INNER_PUNCT)}]+(?=\S)")
_RUN3 = re.compile(r"(\w)\1{2,}")
_RUN2 = re.compile(r"(\w)\1+")
_ANY_RUN = re.compile(r"(.)\1")
_ORDINAL_OR_UNIT = re.compile(r"^\d+(?:st|nd|rd|th|s|am|pm|k|m|b|x|p|gb|mb|kb|hz|d|h|min|px|fps)?$", re.I)


def _forms_index() -> dict[int, tuple[tuple[str, ...], tuple[dict[str, int], ...]]]:
    """Lexicon forms by length, with per position a bitmask of the forms having each letter there."""
    table: dict[int, list[str]] = {}
    forms = [word + suffix for suffix in SUFFIXES for word in _LEXICON_ORDER]  # base words first
    for form in dict.fromkeys(forms):
        table.setdefault(len(form), []).append(form)
    index: dict[int, tuple[tuple[str, ...], tuple[dict[str, int], ...]]] = {}
    for length, group in table.items():
        masks: list[dict[str, int]] = [{} for _ in range(length)]
        for bit, form in enumerate(group):
            for pos, ch in enumerate(form):
                masks[pos][ch] = masks[pos].get(ch, 0) | (1 << bit)
        index[length] = (tuple(group), tuple(masks))
    return index


_FORMS_INDEX = _forms_index()
_LONGEST = max(max(_FORMS_INDEX), max(map(len, COMMON)))


def in_lexicon(word: str) -> bool:
    """True for a lexicon word (lower case) with one of the allowed suffixes."""
    return word in LEXICON_FORMS


def is_word(word: str) -> bool:
    """True for a lexicon form or a common English word (lower case)."""
    return word in LEXICON_FORMS or word in COMMON


def _match_options(core: str) -> str | None:
    """The first lexicon form each character of ``core`` may stand for (a leet character has options)."""
    entry = _FORMS_INDEX.get(len(core))
    if entry is None:
        return None
    forms, masks = entry
    candidates = -1
    for ch, at in zip(core, masks, strict=True):
        allowed = 0
        for option in LEET_OPTIONS.get(ch, ch):
            allowed |= at.get(option, 0)
        candidates &= allowed
        if not candidates:
            return None
    return forms[(candidates & -candidates).bit_length() - 1]


def _collapse_runs(word: str) -> str:
    """Collapse a run of 3+ characters that can all be one letter ("i1111d" -> "id", "m00oo" -> "m")."""
    out: list[str] = []
    run: list[str] = []
    common = ""

    def flush() -> None:
        out.append(common[0] if len(run) >= 3 else "".join(run))

    for ch in word:
        opts = LEET_OPTIONS.get(ch, ch)
        shared = "".join(c for c in common if c in opts) if run else ""
        if run and shared:
            run.append(ch)
            common = shared
        else:
            if run:
                flush()
            run, common = [ch], opts
    if run:
        flush()
    return "".join(out)


@lru_cache(maxsize=65536)
def lexicon_repair(core: str) -> str | None:
    """The lexicon form ``core`` disguises with leetspeak, an asterisk or letter repeats, or None.

    ``core`` is a token without edge punctuation. At least one real letter is required, and numbers with a unit
    ("1st", "4k", "5pm") are never read as words.
    """
    lower = core.lower()
    if lower in LEXICON_FORMS:
        return lower
    if not any(ch.isalpha() for ch in lower) or _ORDINAL_OR_UNIT.match(lower) or len(lower) > 40:
        return None
    has_leet = any(ch in LEET_OPTIONS for ch in lower)
    variants = [lower, _RUN3.sub(r"\1\1", lower)]
    if has_leet or _RUN3.search(lower):  # a plain double letter is spelling: "deemed" is not "dem" + "ed"
        variants.append(_RUN2.sub(r"\1", lower))
    if has_leet and _ANY_RUN.search(lower):
        variants.append(_collapse_runs(lower))  # "i1111d107": a letter repeated through its leet twin
    for form in dict.fromkeys(variants):
        if form in LEXICON_FORMS:
            return form
        if any(ch in LEET_OPTIONS for ch in form):
            found = _match_options(form)
            if found:
                return found
    return None


@lru_cache(maxsize=16384)
def inner_punct_repair(core: str) -> str | None:
    """Undo punctuation inside a word ("mor.on", "id-iot", "i.d.i.o.t") when that yields a lexicon form.

    A hyphenated compound of two real words ("sex-ed", "dumb-ass") is left alone; so is anything that is not a
    lexicon word once the punctuation is gone ("U.S.", "e.g.", "R2-D2", "COVID-19", "3.14", "9/11", "5:30").
    """
    parts = [p for p in _INNER_PUNCT_RE.split(core) if p]
    if len(parts) < 2 or not all(any(ch.isalpha() or ch in LEET_OPTIONS for ch in p) for p in parts):
        return None
    if sum(ch.isalpha() for ch in core) < 2:
        return None
    lowered = [p.lower() for p in parts]
    if len(parts) == 2 and "-" in core and is_word(lowered[0]) and (is_word(lowered[1]) or lowered[1] in SUFFIXES):
        return None  # a compound or suffixed word: "sex-ed", "dumb-ass", "kill-er"
    return lexicon_repair("".join(parts))


@lru_cache(maxsize=16384)
def piece_word(chars: str) -> str | None:
    """What a run of spaced-out characters spells when it is a word (lexicon, leet-repaired or common)."""
    lower = chars.lower()
    if lower in COMMON:
        return lower
    return lexicon_repair(chars)


def segment(chars: list[str]) -> list[str] | None:
    """Split spaced-out characters into words, preferring lexicon words: ``a m o r o n`` -> ``["a", "moron"]``.

    Returns the pieces (original characters, each piece joined), or None when no piece is a lexicon word.
    Characters not covered by any word stay single pieces.
    """
    n = len(chars)
    # best[i] = (covered characters, -pieces, pieces) for chars[:i]
    best: list[tuple[int, int, list[str]] | None] = [None] * (n + 1)
    best[0] = (0, 0, [])
    for i in range(n):
        current = best[i]
        if current is None:
            continue
        covered, neg_pieces, pieces = current
        for j in range(i + 1, min(n, i + _LONGEST) + 1):
            piece = "".join(chars[i:j])
            hit = piece_word(piece) is not None and (j - i > 1 or piece.lower() in ("a", "i"))
            if j - i > 1 and not hit:
                continue
            cand = (covered + (j - i if hit else 0), neg_pieces - 1, [*pieces, piece])
            old = best[j]
            if old is None or cand[:2] > old[:2]:
                best[j] = cand
    final = best[n]
    if final is None or not any(len(piece) >= 3 and lexicon_repair(piece) for piece in final[2]):
        return None  # no lexicon word: "u r a", "F O R D" keep the old rule
    return final[2]
