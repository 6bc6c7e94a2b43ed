"""What a message answers: the reply's parent message and, in a ``/summary`` thread, the article's title.

:class:`MessageContext` is the typed input (one per text, or None) that ``Analyzer.analyze(..., contexts=...)``,
:class:`~bot.analysis.scorer.AnalyzerScorer` and the moderation core's scorer port accept.

How the analyzer uses it (:func:`resolve_targets`, chosen on the Fox News validation split, see
docs/benchmarks/eval.md "Context"): a reply that names no side itself but points at a group with a pronoun
("they", "them", "these people") inherits the side its parent names as a group, or else the title's, so "lock
them all up" under "the democrats rigged it" is read as aimed at Democrats. Only the partisan gate and the
rhetoric patterns see the inherited targets; the learned heads read the reply's own words exactly as without
context, so a text without context (or whose context names no side) scores exactly as before.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.analysis.targets import TargetMatch, _lower_same_length, find_targets
from bot.analysis.textmap import prepare

# Pronouns that point at a group of people (not "you": a reply addresses its parent's author, a person).
_GROUP_PRONOUN = re.compile(
    r"\b(?:they|them|their|theirs|themselves|'em|these people|those people|you people|these guys|those guys)\b"
)
MAX_CONTEXT_CHARS = 2000  # the start of a long parent is what a reply answers; bounds the extra work


@dataclass(frozen=True)
class MessageContext:
    """What a message answers: ``parent`` (the replied-to message's text), ``title`` (the article's title)."""

    parent: str | None = None
    title: str | None = None

    @property
    def empty(self) -> bool:
        """True when there is no context text at all."""
        return not (self.parent or "").strip() and not (self.title or "").strip()


def check_contexts(contexts: Sequence[MessageContext | None] | None, count: int) -> list[MessageContext | None]:
    """One context (or None) per text; a clear :class:`ValueError` when the lengths differ."""
    if contexts is None:
        return [None] * count
    out = list(contexts)
    if len(out) != count:
        raise ValueError(f"contexts has {len(out)} items but there are {count} texts: give one context "
                         "(or None) per text")
    for item in out:
        if item is not None and not isinstance(item, MessageContext):
            raise TypeError(f"a context must be a MessageContext or None, not {type(item).__name__}")
    return out


def context_groups(context: MessageContext | None) -> tuple[TargetMatch, ...]:
    """The political sides the context names as groups: the parent's, or else the title's.

    Empty when neither names a group, or when the source names both sides (a pronoun cannot be resolved then).
    """
    if context is None:
        return ()
    for source in (context.parent, context.title):
        if not source or not source.strip():
            continue
        groups = tuple(t for t in find_targets(prepare(source[:MAX_CONTEXT_CHARS]).scored)
                       if t.group and t.side != "unknown")
        if groups:
            return groups if len({t.side for t in groups}) == 1 else ()
    return ()


def resolve_targets(text: str, targets: list[TargetMatch], context: MessageContext | None) -> list[TargetMatch]:
    """``targets`` plus, when ``text`` names no side as a group itself, its group pronouns as targets of the side
    the context names (:func:`context_groups`). Unchanged (the same list) when there is nothing to resolve."""
    if context is None or any(t.group and t.side != "unknown" for t in targets):
        return targets
    low = _lower_same_length(text)
    pronouns = list(_GROUP_PRONOUN.finditer(low))
    if not pronouns:
        return targets
    groups = context_groups(context)
    if not groups:
        return targets
    source = groups[0]
    taken = [(t.start, t.end) for t in targets]
    added = [TargetMatch(text[m.start():m.end()], m.start(), m.end(), source.side, source.kind, True)
             for m in pronouns if not any(s < m.end() and m.start() < e for s, e in taken)]
    return sorted([*targets, *added], key=lambda t: t.start) if added else targets
