"""Case cards as plain data (title, fields, buttons): the cogs turn this into an embed and a view."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from bot.moderation.custom_ids import CardComponentId, CaseButtonId
from bot.moderation.models import Case
from bot.moderation.state import Action, CaseState, available_actions
from bot.safechars import UNSAFE_CHARS

CARD_FOOTER = re.compile(r"\bCase #(?P<case_id>\d+)\b")
DIGEST_MARKER = "new case"
_DIGEST_IDS = re.compile(r"#(\d+)(?:\u2013#(\d+))?")

STATE_COLORS: dict[CaseState, int] = {
    CaseState.PENDING: 0xE67E22,
    CaseState.ESCALATED: 0x9B59B6,
    CaseState.APPROVED: 0x2ECC71,
    CaseState.REMOVED: 0xE74C3C,
    CaseState.WARNED: 0xF1C40F,
    CaseState.TIMED_OUT: 0x992D22,
}
BUTTON_STYLES: dict[Action, str] = {
    Action.APPROVE: "success",
    Action.REMOVE: "danger",
    Action.WARN: "primary",
    Action.TIMEOUT: "primary",
    Action.ESCALATE: "secondary",
    Action.CLAIM: "secondary",
}
PAST_TENSE: dict[Action, str] = {
    Action.APPROVE: "approved",
    Action.REMOVE: "removed",
    Action.WARN: "warned",
    Action.TIMEOUT: "timed out",
    Action.ESCALATE: "escalated",
    Action.CLAIM: "claimed",
}
_MD_SPECIAL = re.compile(r"([\\*_~`|>#\[\]])")


@dataclass(frozen=True)
class CardField:
    """One embed field."""

    name: str
    value: str
    inline: bool = True


@dataclass(frozen=True)
class CardButton:
    """One button: what it targets (its persistent custom_id: a case action, the ladder's suggestion, the appeals
    switch, an appeal answer), its caption and style name."""

    target: CardComponentId
    label: str
    style: str

    @property
    def action(self) -> Action | None:
        """The case action of a case button (None for the ladder, appeals and appeal-answer buttons)."""
        return self.target.action if isinstance(self.target, CaseButtonId) else None

    @property
    def custom_id(self) -> str:
        """``modbot:case:<case_id>:<action>`` and the others of :mod:`bot.moderation.custom_ids`."""
        return self.target.custom_id


@dataclass(frozen=True)
class CardContent:
    """Everything a case card shows, as plain data."""

    title: str
    description: str
    color: int
    url: str | None
    footer: str
    fields: tuple[CardField, ...] = ()
    buttons: tuple[CardButton, ...] = field(default_factory=tuple)


def escape_markdown(text: str) -> str:
    """Backslash-escape Discord markdown so member text renders literally."""
    return _MD_SPECIAL.sub(r"\\\1", text)


def displayable(text: str) -> str:
    """``text`` with lone surrogates and control characters shown as U+FFFD (safe to send, visible)."""
    return UNSAFE_CHARS.sub("\ufffd", text)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: max(0, limit - 1)].rstrip() + "\u2026"


def excerpt(content: str, evidence: str | None, limit: int) -> str:
    """The message text, escaped, at most ``limit`` characters, with the evidence sentence in bold.

    When the evidence lies beyond the limit the window is moved so that it stays visible.
    """
    text = displayable(content).strip()
    needle = displayable(evidence).strip() if evidence else ""
    start = text.lower().find(needle.lower()) if needle else -1
    if start < 0:
        return escape_markdown(_clip(text, limit))
    end = start + len(needle)
    lo = 0
    if len(text) > limit and end > limit:
        lo = max(0, min(start - limit // 4, len(text) - limit))
    hi = min(len(text), lo + limit)
    before = escape_markdown(text[lo:start])
    hit = escape_markdown(text[start:min(end, hi)])
    after = escape_markdown(text[min(end, hi):hi])
    prefix = "\u2026" if lo > 0 else ""
    suffix = "\u2026" if hi < len(text) else ""
    return f"{prefix}{before}**{hit}**{after}{suffix}"


def timestamp(when: datetime, style: str = "f") -> str:
    """Discord's localized timestamp markup."""
    return f"<t:{int(when.timestamp())}:{style}>"


def format_scores(scores: dict[str, float], limit: int = 6) -> str:
    """Top scores, highest first: ``toxicity 0.91 · insult 0.40``."""
    top = sorted(scores.items(), key=lambda item: item[1], reverse=True)[:limit]
    return " \u00b7 ".join(f"{name} {value:.2f}" for name, value in top) or "\u2014"


def status_line(case: Case) -> str:
    """Who did what and when (or who is handling it)."""
    if case.state is CaseState.PENDING:
        line = "Waiting for a moderator"
    else:
        who = f"<@{case.decided_by}>" if case.decided_by else "a moderator"
        when = f" {timestamp(case.decided_at)}" if case.decided_at else ""
        line = f"**{case.state.label}** by {who}{when}"
        if case.decision_reason:
            line += f"\nReason: {_clip(escape_markdown(case.decision_reason), 300)}"
    if case.claimed_by and case.is_open:
        line += f"\nClaimed by <@{case.claimed_by}>"
    return line


CONTEXT_CHARS = 200


def context_lines(case: Case) -> str:
    """Quote lines above the message: the article of its ``/summary`` thread, the message it replies to."""
    lines = []
    if case.article_title:
        lines.append(f"> \U0001f4f0 Article: {escape_markdown(_clip(displayable(case.article_title), 150))}")
    reply = case.reply_to
    if reply is not None:
        name = f" ({escape_markdown(_clip(displayable(reply.author_name), 40))})" if reply.author_name else ""
        said = " ".join(displayable(reply.content).split())
        text = f": {escape_markdown(_clip(said, CONTEXT_CHARS))}" if said and case.content_purged_at is None else ""
        lines.append(f"> \u21aa Replying to <@{reply.author_id}>{name}{text}")
    return "\n".join(lines)


def render_card(case: Case, *, excerpt_chars: int = 700, with_buttons: bool = True,
                more_fields: Sequence[CardField] = (), more_buttons: Sequence[CardButton] = ()) -> CardContent:
    """The card for ``case``: decided cases have no case buttons. A reply shows what it answers in a quote line.
    ``more_fields`` / ``more_buttons``: strikes and appeals (:mod:`bot.moderation.card_extras`), after the case's
    own."""
    if case.content_purged_at is not None or case.content is None:
        description = "_Message content purged after the retention period._"
    elif case.source == "automod" and not case.content:
        description = "_AutoMod did not share the text: modbot needs the Message Content intent to see it._"
    else:
        description = excerpt(case.content, case.evidence, excerpt_chars) or "_(no text)_"
    context = context_lines(case)
    if context:
        description = f"{context}\n\n{description}"
    name = f" ({escape_markdown(displayable(case.author_name))})" if case.author_name else ""
    fields = [
        CardField("Author", f"<@{case.author_id}>" + name),
        CardField("Channel", f"<#{case.channel_id}>" if case.channel_id else "\u2014"),
        CardField("Message", _message_link(case)),
    ]
    fields.extend(automod_fields(case))
    if case.labels:
        fields.append(CardField("Labels", ", ".join(case.labels)))
    if case.severity:
        fields.append(CardField("Severity", case.severity))
    fields.append(CardField("Scores", format_scores(case.scores)))
    if case.reasons:
        reasons = "\n".join(f"\u2022 {_clip(displayable(reason), 200)}" for reason in case.reasons[:5])
        fields.append(CardField("Reasons", _clip(reasons, 1024), inline=False))
    if case.report_count:
        fields.append(CardField("Member reports", str(case.report_count)))
    flags = []
    if case.message_deleted and not case.message_blocked:
        flags.append("Message deleted")
    if case.edit_count:
        flags.append(f"Edited {case.edit_count}\u00d7 (re-scored: {'flagged' if case.flagged else 'not flagged'})")
    if case.auto_action:
        flags.append(f"Automatic action: {case.auto_action}")
    if flags:
        fields.append(CardField("Message status", "\n".join(flags), inline=False))
    fields.append(CardField("Status", _clip(status_line(case), 1024), inline=False))
    if case.note:
        fields.append(CardField("Note", _clip(case.note, 1024), inline=False))
    fields.extend(more_fields)
    buttons: tuple[CardButton, ...] = ()
    if with_buttons:
        buttons = tuple(
            CardButton(CaseButtonId(case.id, action), action.label, BUTTON_STYLES[action])
            for action in available_actions(case.state, claimed=case.claimed_by is not None)
            if not (action is Action.REMOVE and case.message_blocked)  # nothing to remove: never posted
        ) + tuple(more_buttons)
    source = {"report": " \u00b7 reported by members", "automod": " \u00b7 Discord AutoMod"}.get(case.source, "")
    return CardContent(
        title=f"Case #{case.id} \u00b7 {case.state.label}",
        description=description,
        color=STATE_COLORS[case.state],
        url=case.jump_url or None,
        footer=f"Case #{case.id} \u00b7 " + (f"message {case.message_id}" if case.message_id > 0 else "no message")
        + source,
        fields=tuple(fields),
        buttons=buttons,
    )


AUTOMOD_ACTIONS = {"block": "blocked the message", "alert": "alerted", "timeout": "timed out",
                   "block_interactions": "blocked member interactions"}


def _message_link(case: Case) -> str:
    if case.message_blocked:
        profile = any(hit.trigger_type == 6 for hit in case.automod)
        return "Member profile (no message)" if profile else "Blocked by AutoMod (never posted)"
    return f"[Jump to message]({case.jump_url})" if case.jump_url else str(case.message_id)


def automod_fields(case: Case) -> list[CardField]:
    """What Discord AutoMod did, one line per rule: name (or id when it could not be read), trigger, actions and
    the matched keyword."""
    lines = []
    for hit in case.automod[:5]:
        rule = f'"{escape_markdown(displayable(hit.rule_name))}"' if hit.rule_name else f"rule {hit.rule_id}"
        done = [AUTOMOD_ACTIONS.get(a, a) for a in hit.actions]
        if hit.timeout_seconds and "timeout" in hit.actions:
            done = [f"{d} ({hit.timeout_seconds // 60} min)" if d == "timed out" else d for d in done]
        line = f"\u2022 {rule} ({hit.trigger}): {', '.join(done) or 'no action'}"
        if hit.matched_keyword:
            line += f"; keyword `{_clip(displayable(hit.matched_keyword).replace('`', ''), 100)}`"
        lines.append(line)
    return [CardField("Discord AutoMod", _clip("\n".join(lines), 1024), inline=False)] if lines else []


def compress_ranges(ids: Iterable[int]) -> str:
    """``#3–#5, #9`` from ``[3, 4, 5, 9]``."""
    ordered = sorted(set(ids))
    parts: list[str] = []
    i = 0
    while i < len(ordered):
        j = i
        while j + 1 < len(ordered) and ordered[j + 1] == ordered[j] + 1:
            j += 1
        parts.append(f"#{ordered[i]}" if i == j else f"#{ordered[i]}\u2013#{ordered[j]}")
        i = j + 1
    return ", ".join(parts)


def render_digest(case_ids: Sequence[int]) -> str:
    """One message standing for many cases during a burst: ``**12 new cases** (#5–#16) — use /queue ...``."""
    count = len(case_ids)
    noun = "case" if count == 1 else "cases"
    return (f"**{count} new {noun}** ({compress_ranges(case_ids)}) \u2014 use `/queue` to review them now; "
            "each open one also gets its own card here once the burst has passed.")


def render_quiet_digest(cases: Sequence[Case]) -> tuple[str, str]:
    """Quiet mode's periodic message: the text (case ids, parsed back by :func:`parse_digest`) and a listing, one
    line per case (no channel mentions: ``<#id>`` would read as a case id)."""
    count = len(cases)
    noun = "case" if count == 1 else "cases"
    text = (f"**{count} new {noun}** ({compress_ranges(c.id for c in cases)}) \u2014 quiet mode: review them "
            "with `/queue` or `/case id:`.")
    lines = []
    for case in cases:
        labels = ", ".join(case.labels) or "unlabelled"
        lines.append(f"Case {case.id} \u00b7 {case.severity or 'no severity'} \u00b7 {labels} \u00b7 "
                     f"<@{case.author_id}>" + (" \u00b7 AutoMod" if case.source == "automod" else ""))
    listing = "\n".join(lines)
    return text, listing if len(listing) <= 4000 else listing[:3999] + "\u2026"


def parse_digest(text: str) -> list[int]:
    """Case ids named by a digest message (inverse of :func:`render_digest`)."""
    if DIGEST_MARKER not in (text or ""):
        return []
    ids: list[int] = []
    for first, last in _DIGEST_IDS.findall(text):
        lo = int(first)
        hi = int(last) if last else lo
        ids.extend(range(lo, hi + 1))
    return ids


def chunk_for_digest(case_ids: Sequence[int], max_chars: int = 1800) -> list[list[int]]:
    """Split case ids into groups whose digest text stays under ``max_chars``."""
    chunks: list[list[int]] = []
    current: list[int] = []
    for case_id in case_ids:
        candidate = [*current, case_id]
        if current and len(render_digest(candidate)) > max_chars:
            chunks.append(current)
            current = [case_id]
        else:
            current = candidate
    if current:
        chunks.append(current)
    return chunks


def mod_log_line(case: Case, actor_id: int, action: Action, reason: str | None = None, extra: str = "") -> str:
    """The mod-log channel entry for a decision."""
    line = (
        f"Case #{case.id}: <@{actor_id}> {PAST_TENSE[action]} <@{case.author_id}>'s message in <#{case.channel_id}>"
    )
    if extra:
        line += f" ({extra})"
    if case.jump_url:
        line += f" \u2014 [jump]({case.jump_url})"
    if reason:
        line += f"\nReason: {_clip(escape_markdown(reason), 500)}"
    return line
