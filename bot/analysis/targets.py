"""Political-target recognition: parties, ideologies, movements, politicians and partisan slurs, both sides.

Built from the lexicons in ``bot/analysis/lexicons/`` (derived from rathje_dicts plus curated lists) and
compiled once. Robust to case, plurals (listed in the lexicon), possessives, hashtags (``#MAGA``,
``#Resist``, camel-case ``#DemocratsAreDestroyingAmerica``) and ``pro-``/``anti-`` prefixes.
Ambiguous surnames ("Warren", "Clinton") only count with a first name or a title ("Senator Warren").
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path

LEXICON_DIR = Path(__file__).resolve().parent / "lexicons"

# What follows a politician or a party adjective to make a group of people ("Trump supporters").
_SUPPORTER_NOUNS = (
    "supporters|voters|fans|base|loyalists|cultists|cult|crowd|lovers|worshippers|worshipers|followers|"
    "sheep|bots|minions|zombies|nuts|bros|people|apologists|defenders|dead-enders|fanboys|groupies|army"
)
_TITLES = (
    r"(?:Sen\.?|Senator|Rep\.?|Representative|Congressman|Congresswoman|Speaker|Gov\.?|Governor|"
    r"President|Vice President|VP|Secretary|Leader|Mayor|Ex-President|Former President)"
)
_POSSESSIVE = r"(?:['\u2019]s|['\u2019])?"
_LEFT_EDGE = r"(?<![\w@#])"
_RIGHT_EDGE = r"(?![\w])"

# Replacement text used by mask(): the same for both sides, so a learned head never sees which side.
PLACEHOLDERS = {
    "group": "partisans",
    "single": "partisan",
    "slur": "partisan idiots",
    "politician": "the politician",
    "supporters": "partisan supporters",
}


@dataclass(frozen=True, slots=True)
class TargetMatch:
    """One political target found in a text (character offsets into that text)."""

    text: str
    start: int
    end: int
    side: str  # left | right | unknown
    kind: str  # party | ideology | movement | slur | politician | supporters
    group: bool  # names people as a group (needed for a partisan flag)

    def to_dict(self) -> dict[str, object]:
        """Return a JSON-serializable dict."""
        return asdict(self)


@dataclass(frozen=True, slots=True)
class _GroupEntry:
    pattern: str
    side: str
    kind: str
    group: bool


def _data_lines(path: Path) -> list[list[str]]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            rows.append([cell.strip() for cell in line.split("\t")])
    return rows


def load_group_entries(path: Path | None = None) -> list[_GroupEntry]:
    """Read political_groups.tsv (see its header for the columns)."""
    rows = _data_lines(path or LEXICON_DIR / "political_groups.tsv")
    return [_GroupEntry(r[0], r[1], r[2], r[3] == "1") for r in rows]


_TOKEN_RE = re.compile(r"[@#]?\w+(?:['\u2019]\w+)*")
_HASHTAG_ONLY = "hashtag:"


def _strip_possessive(token: str) -> str:
    return re.sub(r"['\u2019]s$", "", token).replace("\u2019", "'")


def _name_key(name: str) -> tuple[str, ...]:
    """A name as a tuple of lower-cased tokens (dots, spaces and possessives ignored)."""
    return tuple(_strip_possessive(m.group(0).lower()) for m in _TOKEN_RE.finditer(name))


def _lower_same_length(text: str) -> str:
    """Lower-case ``text`` without changing any offset (a few non-ASCII letters grow when lower-cased)."""
    low = text.lower()
    return low if len(low) == len(text) else text.translate(_ASCII_LOWER)


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


class TargetMatcher:
    """Finds political targets in text; build once (see :func:`default_matcher`) and reuse."""

    def __init__(self, lexicon_dir: Path = LEXICON_DIR) -> None:
        self._entries = load_group_entries(lexicon_dir / "political_groups.tsv")
        alternatives = []
        # Longest patterns first, so "maga cult" wins over "maga" (regex alternation takes the first match).
        for i, entry in sorted(enumerate(self._entries), key=lambda ie: -len(ie[1].pattern)):
            if entry.pattern.startswith(_HASHTAG_ONLY):
                alternatives.append(f"(?P<g{i}>#{entry.pattern[len(_HASHTAG_ONLY):]})")
            else:
                alternatives.append(f"(?P<g{i}>#?(?:{entry.pattern}))")
        self._group_re = re.compile(_LEFT_EDGE + "(?:" + "|".join(alternatives) + ")" + _POSSESSIVE + _RIGHT_EDGE)
        self._names: dict[tuple[str, ...], str] = {}
        surnames: dict[str, set[str]] = {}
        for name, side, form in _data_lines(lexicon_dir / "politicians.tsv"):
            self._names[_name_key(name)] = side
            if form == "full":
                surnames.setdefault(_name_key(name)[-1], set()).add(side)
        self._max_name_tokens = max(len(k) for k in self._names)
        self._first_tokens = {k[0] for k in self._names} | {"#" + k[0] for k in self._names}
        self._surname_side = {s: next(iter(v)) if len(v) == 1 else "unknown" for s, v in surnames.items()}
        self._title_re = re.compile(_LEFT_EDGE + _TITLES + r"\s+(?P<surname>[A-Z][\w'\u2019-]+)")
        self._supporters_re = re.compile(r"(?:['\u2019]s)?\s+(?:" + _SUPPORTER_NOUNS + r")\b", re.IGNORECASE)
        self._hashtag_re = re.compile(r"#(\w{4,})")

    # ---- public API -------------------------------------------------------------------------------

    def find(self, text: str) -> list[TargetMatch]:
        """Return the non-overlapping political targets in ``text``, in order."""
        found = self._find_groups(text) + self._find_politicians(text) + self._find_hashtags(text)
        return _non_overlapping(found)

    def mask(self, text: str, matches: list[TargetMatch] | None = None) -> str:
        """Replace every target with a side-neutral placeholder (same words for left and right)."""
        matches = self.find(text) if matches is None else matches
        out, pos = [], 0
        for m in matches:
            out.append(text[pos : m.start])
            out.append(placeholder_for(m))
            pos = m.end
        out.append(text[pos:])
        return "".join(out)

    # ---- internals --------------------------------------------------------------------------------

    def _find_groups(self, text: str) -> list[TargetMatch]:
        out = []
        for m in self._group_re.finditer(_lower_same_length(text)):
            entry = self._entries[int(m.lastgroup[1:])]  # type: ignore[index]
            kind, group, end = entry.kind, entry.group, m.end()
            if not group and entry.kind == "party":
                ext = self._supporters_re.match(text, end)
                if ext:
                    kind, group, end = "supporters", True, ext.end()
            out.append(TargetMatch(text[m.start() : end], m.start(), end, entry.side, kind, group))
        return out

    def _find_politicians(self, text: str) -> list[TargetMatch]:
        out = []
        tokens = [(m.start(), m.end(), m.group(0).lower()) for m in _TOKEN_RE.finditer(text)]
        keys = [_strip_possessive(t[2]) for t in tokens]
        i = 0
        while i < len(tokens):
            if keys[i] not in self._first_tokens and not keys[i].startswith("@"):
                i += 1
                continue
            for n in range(min(self._max_name_tokens, len(tokens) - i), 0, -1):
                key = tuple(keys[i : i + n])
                side = self._names.get(key) or (self._names.get(key[1:]) if key[0].startswith("#") else None)
                if n == 1 and side is None and keys[i][:1] in "#@":
                    side = self._names.get((keys[i][1:],))
                if side is not None:
                    out.append(self._with_supporters(text, tokens[i][0], tokens[i + n - 1][1], side))
                    i += n - 1
                    break
            i += 1
        for m in self._title_re.finditer(text):
            surname = _strip_possessive(m.group("surname").lower())
            side = self._surname_side.get(surname, "unknown")
            out.append(self._with_supporters(text, m.start(), m.end(), side))
        return out

    def _with_supporters(self, text: str, start: int, end: int, side: str) -> TargetMatch:
        ext = self._supporters_re.match(text, end)
        if ext:
            return TargetMatch(text[start : ext.end()], start, ext.end(), side, "supporters", True)
        return TargetMatch(text[start:end], start, end, side, "politician", False)

    def _find_hashtags(self, text: str) -> list[TargetMatch]:
        """Camel-case hashtags: ``#DemocratsAreDestroyingAmerica`` names the Democrats."""
        out = []
        for m in self._hashtag_re.finditer(text):
            body = m.group(1)
            words = re.sub(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Za-z])(?=\d)", " ", body)
            if words == body:
                continue
            inner = self._find_groups(words) + [
                t for t in self._find_politicians(words) if t.kind != "politician" or " " not in t.text
            ]
            if inner:
                best = max(inner, key=lambda t: (t.group, t.kind == "slur"))
                out.append(TargetMatch(m.group(0), m.start(), m.end(), best.side, best.kind, best.group))
        return out


def placeholder_for(match: TargetMatch) -> str:
    """Side-neutral replacement text for one target."""
    if match.kind == "slur":
        return PLACEHOLDERS["slur"]
    if match.kind == "supporters":
        return PLACEHOLDERS["supporters"]
    if match.kind == "politician":
        return PLACEHOLDERS["politician"]
    return PLACEHOLDERS["group"] if match.group else PLACEHOLDERS["single"]


def _non_overlapping(matches: list[TargetMatch]) -> list[TargetMatch]:
    """Keep the longest match at each position; drop matches overlapping an earlier kept one."""
    kept: list[TargetMatch] = []
    for m in sorted(matches, key=lambda t: (t.start, -(t.end - t.start))):
        if kept and m.start < kept[-1].end:
            continue
        kept.append(m)
    return kept


@lru_cache(maxsize=1)
def default_matcher() -> TargetMatcher:
    """The process-wide matcher built from the bundled lexicons (compiled once, thread-safe to use)."""
    return TargetMatcher()


def find_targets(text: str) -> list[TargetMatch]:
    """Shortcut for ``default_matcher().find(text)``."""
    return default_matcher().find(text)


def mask_targets(text: str) -> str:
    """Shortcut for ``default_matcher().mask(text)``."""
    return default_matcher().mask(text)
