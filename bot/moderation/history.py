"""A member's moderation history as plain data: ``/history member:`` and the "Moderation history" user menu.

:class:`MemberHistory` is what :meth:`bot.moderation.review.Review.member_history` reads; the card is built from
:data:`SECTIONS`, one function per embed field, in order: open cases, strikes (active ones with when they fade),
appeals, recent cases, recent actions. A new kind of record is one more field on :class:`MemberHistory`, read in
``Review.member_history``, and one more section function listed here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from bot.moderation.appeals import Appeal
from bot.moderation.cards import CardContent, CardField, timestamp
from bot.moderation.listing import QUEUE_COLOR, audit_line
from bot.moderation.models import AuditEntry, Case
from bot.moderation.strikes import Strike
from bot.timestamps import utcnow

FIELD_MAX = 1024
OPEN_SHOWN = 10
RECENT_SHOWN = 10
ACTIONS_SHOWN = 10


@dataclass(frozen=True)
class MemberHistory:
    """Everything the history card shows about one member of one guild."""

    member_id: int
    counts: Mapping[str, int] = field(default_factory=dict)  # cases per state
    open_cases: Sequence[Case] = ()  # pending or escalated, newest first
    recent_cases: Sequence[Case] = ()  # any state, newest first
    actions: Sequence[AuditEntry] = ()  # audit entries about the member, newest first
    strikes: Sequence[Strike] = ()  # newest first, active or not
    appeals: Sequence[Appeal] = ()  # newest first
    now: datetime = field(default_factory=utcnow)  # what "active" is measured against


Section = Callable[[MemberHistory], CardField | None]


def case_line(case: Case) -> str:
    """``#12 · Pending · partisan · AutoMod · <date>`` (a jump link when the message exists)."""
    labels = ", ".join(case.labels) or "unlabelled"
    link = f"[#{case.id}]({case.jump_url})" if case.jump_url else f"#{case.id}"
    source = " \u00b7 AutoMod" if case.source == "automod" else " \u00b7 reported" if case.source == "report" else ""
    return f"{link} \u00b7 {case.state.label} \u00b7 {labels}{source} \u00b7 {timestamp(case.created_at, 'd')}"


def _lines(lines: Sequence[str], more: int) -> str:
    """Lines joined within one embed field, with "+N more" when some did not fit or were not shown."""
    out: list[str] = []
    for line in lines:
        if len("\n".join([*out, line])) > FIELD_MAX - 20:
            break
        out.append(line)
    hidden = more + len(lines) - len(out)
    return "\n".join(out) + (f"\n+{hidden} more" if hidden else "")


def open_section(history: MemberHistory) -> CardField | None:
    """Open cases first: what still waits for a moderator."""
    if not history.open_cases:
        return None
    shown = history.open_cases[:OPEN_SHOWN]
    return CardField("Open cases", _lines([case_line(c) for c in shown], len(history.open_cases) - len(shown)),
                     inline=False)


def strikes_section(history: MemberHistory) -> CardField | None:
    """Strikes: the active ones with when each fades, then how many faded or were cleared."""
    if not history.strikes:
        return None
    active = [s for s in history.strikes if s.active(history.now)]
    lines = [f"#{s.case_id} \u00b7 {s.action.replace('_', ' ')} \u00b7 fades {timestamp(s.expires_at, 'R')}"
             for s in active]
    gone = len(history.strikes) - len(active)
    if gone:
        lines.append(f"{gone} faded or cleared")
    return CardField(f"Strikes ({len(active)} active)", _lines(lines, 0), inline=False)


def appeals_section(history: MemberHistory) -> CardField | None:
    """Appeals: which case, where it is, when it was filed."""
    if not history.appeals:
        return None
    lines = [f"#{a.case_id} \u00b7 {a.state.value} \u00b7 {timestamp(a.created_at, 'd')}" for a in history.appeals]
    return CardField("Appeals", _lines(lines, 0), inline=False)


def recent_section(history: MemberHistory) -> CardField | None:
    """Recent decided cases (the open ones are listed above)."""
    decided = [c for c in history.recent_cases if not c.is_open][:RECENT_SHOWN]
    if not decided:
        return None
    return CardField("Recent cases", _lines([case_line(c) for c in decided], 0), inline=False)


def actions_section(history: MemberHistory) -> CardField | None:
    """What moderators (and modbot) did."""
    if not history.actions:
        return None
    shown = history.actions[:ACTIONS_SHOWN]
    return CardField("Recent actions", _lines([audit_line(e) for e in shown], 0), inline=False)


SECTIONS: tuple[Section, ...] = (open_section, strikes_section, appeals_section, recent_section, actions_section)


def render_history(history: MemberHistory, sections: Sequence[Section] = SECTIONS) -> CardContent:
    """The history card: counts per state, then one field per section that has something to show."""
    total = sum(history.counts.values())
    summary = ", ".join(f"{n} {state.replace('_', ' ')}" for state, n in sorted(history.counts.items())) \
        or "no cases"
    fields = tuple(found for section in sections if (found := section(history)) is not None)
    return CardContent(
        title="Moderation history",
        description=f"<@{history.member_id}>: {total} case{'s' if total != 1 else ''} ({summary})",
        color=QUEUE_COLOR,
        url=None,
        footer=f"member {history.member_id}",
        fields=fields,
    )
