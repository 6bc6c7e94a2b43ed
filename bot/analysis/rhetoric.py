"""Rhetoric patterns: blame generalization, "all X are", us-vs-them, dehumanizing, calls for violence, contempt.

Every pattern has a name, a category and a weight (how much one match says on its own, 0-1). Patterns that
are about a group (``needs_target``) only count when a political target found by :mod:`bot.analysis.targets`
lies inside the pattern's ``slot`` (or, for ``scope="sentence"``, anywhere in the same sentence), so
"this is what happens when you elect democrats" counts and "this is what happens when you skip breakfast"
does not. Patterns are lower-case and run on lower-cased text; compiled once at import.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Literal

from bot.analysis.targets import TargetMatch, _lower_same_length

Category = Literal["blame", "generalization", "us_vs_them", "dehumanizing", "violence", "contempt"]
Need = Literal["none", "group", "any", "person"]

# A slot of one to four words where a target must sit ("the democrats", "all these libs").
G = r"(?P<slot>[#@\w'\u2019-]+(?:\s+[#@\w'\u2019-]+){0,3})"
G1 = r"(?P<slot>[#@\w'\u2019-]+(?:\s+[#@\w'\u2019-]+){0,1})"
G0 = r"(?P<slot>[#@\w'\u2019-]+)"
_PERSON_RE = re.compile(
    r"\b(?:they|them|their|these people|those people|you people|you|u|he|she|him|her|you all|y'?all)\b"
)


@dataclass(frozen=True, slots=True)
class RhetoricPattern:
    """One named pattern."""

    name: str
    category: Category
    regex: re.Pattern[str]
    weight: float
    needs_target: Need = "none"  # group: a group target; any: any political target; person: target or pronoun
    scope: Literal["slot", "sentence"] = "slot"
    triggers: tuple[str, ...] = ()  # cheap pre-check: skip the regex unless one of these substrings occurs

    @property
    def slot_first(self) -> bool:
        """True when the pattern starts with its slot: it is then only tried where a target starts."""
        return self.regex.pattern.startswith("(?P<slot>")


@dataclass(frozen=True, slots=True)
class RhetoricMatch:
    """A pattern found in a text: ``start``/``end`` index the text the matcher was given."""

    pattern: str
    category: Category
    text: str
    start: int
    end: int
    weight: float
    target: str | None = None

    def to_dict(self) -> dict[str, object]:
        """Return a JSON-serializable dict."""
        return asdict(self)


def _p(
    name: str,
    category: Category,
    regex: str,
    weight: float,
    needs: Need = "none",
    scope: Literal["slot", "sentence"] = "slot",
    triggers: str | tuple[str, ...] = (),
) -> RhetoricPattern:
    trig = tuple(triggers.split("|")) if isinstance(triggers, str) else triggers
    return RhetoricPattern(name, category, re.compile(regex), weight, needs, scope, trig)


def _stems(alternation: str) -> tuple[str, ...]:
    """Literal beginnings of the words in a ``a|b?|c(?:d)`` word list: good enough as triggers."""
    stems = []
    for alt in alternation.split("|"):
        stem = re.split(r"[?*+()\[\]{}\\.]", alt, maxsplit=1)[0]
        stems.append(stem[:-1] if alt[len(stem) : len(stem) + 1] == "?" else stem)
    return tuple(st for st in stems if st)


_STRONG_ANIMALS = (
    r"vermin|sub-?humans?|untermensch\w*|cockroach(?:es)?|parasites|maggots|leeches|lice|rodents|mongrels|"
    r"savages|infestation|termites|bloodsuckers|bottom[- ]feeders"
)
_WEAK_ANIMALS = r"rats|animals|pigs|swine|snakes|sheep|sheeple|zombies|beasts|monsters|apes|dogs|hyenas|locusts"
_HARM = (
    r"shot|hanged|hung|executed|killed|lynched|strung up|put down|exterminated|eradicated|gassed|beaten|"
    r"tortured|burned|burnt|murdered|slaughtered|wiped out|lined up against (?:a|the) wall|shot on sight|"
    r"dragged out|hunted down|put to death|drowned|stabbed"
)
_HARM_VERBS = (
    r"kill|shoot|hang|execute|exterminate|eradicate|purge|wipe out|round up|gas|lynch|string up|beat up|"
    r"murder|slaughter|hunt down|get rid of|eliminate|deport"
)
_OBJ = r"(?:them|'?em|all of them|them all|every (?:last |single )?one of them|these people|those people)"
_INSULT_NOUNS = (
    r"idiots?|morons?|imbeciles?|cretins?|clowns?|fools?|losers?|lunatics?|psychos?|nut ?jobs?|dumbass(?:es)?|"
    r"retards?|scumbags?|scum|trash|garbage|hypocrites?|liars?|crooks?|grifters?|traitors?|cultists?|"
    r"bootlickers?|cucks?|degenerates?|dimwits?|halfwits?|nitwits?|dipshits?|jackass(?:es)?|buffoons?|"
    r"stooges?|shills?|puppets?|sycophants?|bigots?|thugs?"
)
_CONTEMPT_ADJ = (
    r"stupid|dumb|brainless|brain-?dead|brainwashed|pathetic|disgusting|despicable|deranged|delusional|"
    r"insane|clueless|spineless|gutless|vile|treasonous|un-?american|anti-?american|worthless|useless|"
    r"shameless|disgraceful|sickening|moronic|idiotic|imbecilic|ignorant|evil|corrupt|crooked|senile|"
    r"demented|unhinged|psychotic|hateful|cowardly"
)

PATTERNS: tuple[RhetoricPattern, ...] = (
    # ---- blame generalization: a side is blamed for what happened
    _p("blame_when_you_elect", "blame",
       r"\b(?:this|that|it)(?:'s|\u2019s| is) what (?:happens|you get|we get)\b[^.!?]{0,40}?"
       r"\b(?:elect|vote|put|let|trust|listen|give|empower|allow|support)\w*",
       0.8, "group", "sentence", "what"),
    _p("blame_what_you_get", "blame",
       r"\b(?:this|that)(?:'s|\u2019s| is) what (?:happens|you get|we get) (?:when|with|for|if)\b", 0.45,
       "group", "sentence", "what"),
    _p("blame_thanks_to", "blame", r"\bthanks(?: a lot)?,? (?:to )?(?:the |all the |you )?" + G1, 0.45, "any",
       triggers="thank"),
    _p("blame_fault", "blame", r"\b(?:it'?s|this is|that'?s|all) (?:all )?(?:the )?" + G1 + r" fault\b", 0.6, "any",
       triggers="fault"),
    _p("blame_verb", "blame", r"\bblame (?:the |all (?:the )?|these |those )?" + G1, 0.45, "group",
       triggers="blame"),
    _p("blame_ruined", "blame",
       G1 + r" (?:did this|caused this|are to blame|are responsible for this|(?:have |has )?(?:ruined|destroyed|"
       r"wrecked|broke|broken)|are (?:destroying|ruining|wrecking|killing) (?:this|our|the) (?:country|nation|"
       r"america|economy|state))\b", 0.6, "group"),
    _p("blame_whenever", "blame",
       r"\b(?:every ?time|whenever|anytime) (?:the |you )?" + G1 + r" (?:are in|get|take|have|gain|run)\b", 0.5,
       "group", triggers="time|whenever"),
    # ---- generalization: one property for every member of a side
    _p("all_x_are", "generalization",
       r"\ball (?:of )?(?:the |these |those |you |your )?" + G1 + r" (?:are|is|were|should|deserve|want|do|"
       r"care|hate|think|believe|have|ever)\b", 0.55, "any", triggers="all "),
    _p("x_are_all", "generalization", G1 + r" (?:are|were) all\b", 0.5, "any"),
    _p("every_x", "generalization", r"\bevery (?:single |last )?" + G1 + r" (?:is|are|has|wants|should)\b",
       0.5, "any", triggers="every"),
    _p("typical_x", "generalization", r"\b(?:typical|classic|such a|what a) " + G1 + r"\b", 0.45, "any",
       triggers="typical|classic|such a|what a"),
    _p("you_x", "generalization", r"\b(?:you|u|ya) (?:damn |dumb |stupid |fucking |fkn )?" + G0 + r"\b", 0.5,
       "group", triggers="you|u |ya "),
    _p("x_always_never", "generalization",
       G1 + r" (?:always|never|only ever|will never|can'?t be trusted|cannot be trusted|"
       r"only care about|don'?t care about|hate (?:america|this country|freedom|democracy|our country|the "
       r"constitution|everything))\b", 0.5, "group"),
    _p("x_want_to_destroy", "generalization",
       G1 + r"(?: just| only)? (?:want|are trying|try|wants|will) to (?:destroy|ruin|take away|replace|kill|end|"
       r"erase|enslave|control|silence|steal|rig|cheat)\b", 0.55, "group"),
    # ---- us vs them
    _p("real_americans", "us_vs_them",
       r"\b(?:we the people|real americans|true americans|true patriots|real patriots)\b", 0.3,
       triggers="people|american|patriot"),
    _p("enemy_of_the_people", "us_vs_them",
       r"\benem(?:y|ies) (?:of|within) (?:the people|america|the state|freedom|democracy|the country)?", 0.5,
       triggers="enem"),
    _p("these_people", "us_vs_them", r"\b(?:you|these|those) people\b|\bpeople like (?:you|them)\b|"
       r"\b(?:your|their) kind\b", 0.3, triggers="people|kind"),
    _p("take_country_back", "us_vs_them", r"\btake (?:our country|america|our nation|it all) back\b", 0.3,
       triggers="back"),
    _p("they_want_to_destroy", "us_vs_them",
       r"\b(?:they|these people|those people)(?: just| only)? (?:want|are trying|try|wants) to (?:destroy|ruin|"
       r"take|replace|kill|end|erase|enslave)\b", 0.45, "any", "sentence", "want|try"),
    # ---- dehumanizing comparisons
    _p("dehumanizing_strong", "dehumanizing", r"\b(?:" + _STRONG_ANIMALS + r")\b", 0.75,
       triggers=_stems(_STRONG_ANIMALS)),
    _p("dehumanizing_animal", "dehumanizing", r"\b(?:" + _WEAK_ANIMALS + r")\b", 0.55, "person", "sentence",
       _stems(_WEAK_ANIMALS)),
    _p("mental_illness", "dehumanizing",
       r"\b(?:a )?mental (?:illness|disorder|disease)\b|\bderangement syndrome\b|\bmentally ill\b", 0.45, "any",
       "sentence", "mental|derange"),
    # ---- calls for violence (label "threat")
    _p("should_be_harmed", "violence",
       r"\b(?:should|must|needs? to|ought to|deserves? to|gonna|going to|will|to) (?:all )?(?:be |get )?(?:"
       + _HARM + r")\b", 0.85, "person", "sentence", _stems(_HARM) + ("hung", "wall")),
    _p("deserve_to_die", "violence",
       r"\b(?:deserves? to|should|needs? to|must|ought to) (?:all )?(?:die|hang|rot|burn|suffer)\b|"
       r"\bi hope (?:they|he|she|you|u|all of them|every one of them)\b[^.!?]{0,20}\b(?:die|dies|rot|rots|"
       r"get shot|gets shot|burn|burns|suffer|suffers)\b", 0.8, triggers="die|hang|rot|burn|suffer|shot"),
    _p("harm_them", "violence", r"\b(?:" + _HARM_VERBS + r") " + _OBJ + r"\b(?! a chance| off)", 0.8,
       triggers=_stems(_HARM_VERBS)),
    _p("harm_group", "violence", r"\b(?:" + _HARM_VERBS + r") (?:all (?:the |of the )?|the |every )?" + G1,
       0.8, "group", triggers=_stems(_HARM_VERBS)),
    _p("lock_them_up", "violence",
       r"\b(?:lock|line|round) (?:them|'?em|her|him|'?em all|them all|all of them) (?:all )?up\b", 0.6,
       triggers=" up"),
    _p("violent_imagery", "violence",
       r"\b(?:second amendment solutions?|2a solutions?|day of the rope|rope day|firing squads?|gallows|"
       r"guillotines?|public hangings?|bullets? (?:in|to|for) (?:their|his|her|your) (?:heads?|brains?))\b", 0.6,
       triggers="amendment|2a|rope|firing|gallows|guillotine|hanging|bullet"),
    _p("i_will_hurt", "violence",
       r"\b(?:i'?ll|i will|we will|we'?ll|gonna|going to) (?:kill|shoot|hang|murder|hunt down|beat|stab) "
       r"(?:you|u|them|'?em|him|her)\b", 0.85, triggers="kill|shoot|hang|murder|hunt|beat|stab"),
    _p("burn_it_down", "violence", r"\bburn (?:it|them|'?em|this (?:country|place)) (?:all )?down\b", 0.5,
       triggers="burn"),
    # ---- contempt markers
    _p("insult", "contempt", r"\b(?:" + _INSULT_NOUNS + r")\b", 0.4, triggers=_stems(_INSULT_NOUNS)),
    _p("contempt_adjective", "contempt", r"\b(?:" + _CONTEMPT_ADJ + r")\b", 0.25, triggers=_stems(_CONTEMPT_ADJ)),
    _p("dismissal", "contempt",
       r"\b(?:shut up|stfu|gtfo|get lost|go back to|wake up|grow up|cry more|cope|seethe|get a brain|"
       r"give me a break|what a joke|such a joke|a (?:total |complete )?joke|drank the kool-?aid|kool-?aid)\b", 0.3,
       triggers="shut|stfu|gtfo|lost|go back|wake|grow|cry|cope|seethe|brain|break|joke|kool"),
    _p("mockery", "contempt", r"\b(?:lol|lmao|lmfao|rofl|haha(?:ha)*)\b|\bso-called\b", 0.15,
       triggers="lol|lmao|lmfao|rofl|haha|so-called"),
)


class RhetoricMatcher:
    """Runs :data:`PATTERNS` (or a custom set) over one sentence or short message at a time."""

    def __init__(self, patterns: tuple[RhetoricPattern, ...] = PATTERNS) -> None:
        self.patterns = patterns

    def find(self, text: str, targets: list[TargetMatch] | None = None) -> list[RhetoricMatch]:
        """Return the pattern matches in ``text``; ``targets`` are the political targets of the same text."""
        targets = targets or []
        low = _lower_same_length(text)
        has_person = None
        out: list[RhetoricMatch] = []
        for pat in self.patterns:
            if pat.needs_target in ("group", "any") and not targets:
                continue
            if pat.triggers and not any(t in low for t in pat.triggers):
                continue
            if pat.slot_first:
                found = [m for t in targets  # "the Proud Boys" is 3 words: also try from the target itself
                         if (m := pat.regex.match(low, _slot_start(low, t.start)) or pat.regex.match(low, t.start))]
            else:
                found = list(pat.regex.finditer(low))
            for m in found:
                target = None
                if pat.needs_target != "none":
                    if pat.scope == "slot" and "slot" in pat.regex.groupindex:
                        lo, hi = m.span("slot")
                    else:
                        lo, hi = 0, len(text)
                    target = _target_in(targets, lo, hi, pat.needs_target)
                    if target is None and pat.needs_target == "person":
                        if has_person is None:
                            has_person = bool(_PERSON_RE.search(low))
                        if not has_person:
                            continue
                    elif target is None:
                        continue
                out.append(
                    RhetoricMatch(pat.name, pat.category, text[m.start() : m.end()], m.start(), m.end(),
                                  pat.weight, target.text if target else None)
                )
        return out


def _slot_start(low: str, start: int) -> int:
    """Back up over a preceding "the " so "the democrats always" is tried from "the"."""
    return start - 4 if low[max(0, start - 4) : start] == "the " else start


def _target_in(targets: list[TargetMatch], lo: int, hi: int, need: Need) -> TargetMatch | None:
    for t in targets:
        if t.start < hi and t.end > lo:
            if need == "group" and not t.group:
                continue
            if t.side == "unknown" and need != "person":
                continue
            return t
    return None


_DEFAULT = RhetoricMatcher()


def find_rhetoric(text: str, targets: list[TargetMatch] | None = None) -> list[RhetoricMatch]:
    """Shortcut for the default matcher."""
    return _DEFAULT.find(text, targets)
