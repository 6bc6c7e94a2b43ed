"""Lists as plain data: a ``/queue`` page and a case's audit trail (a member's history:
:mod:`bot.moderation.history`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.moderation.cards import CardContent, escape_markdown, timestamp
from bot.moderation.models import AuditEntry, Case
from bot.paging import page_count

QUEUE_COLOR = 0x3498DB
LINE_EXCERPT = 80
DESCRIPTION_MAX = 4096


@dataclass(frozen=True)
class QueuePage:
    """One page of ``/queue``: ``page`` is 1-based and already clamped to ``pages``."""

    content: CardContent
    page: int
    pages: int
    total: int


def _excerpt(case: Case) -> str:
    if case.content is None:
        return "(content purged)"
    text = " ".join(case.content.split())
    text = text if len(text) <= LINE_EXCERPT else text[: LINE_EXCERPT - 1] + "\u2026"
    return escape_markdown(text)


def queue_line(case: Case, *, with_excerpt: bool = True) -> str:
    """One case in a list."""
    labels = ", ".join(case.labels) or "unlabelled"
    extra = []
    if case.state.value != "pending":
        extra.append(case.state.label.lower())
    if case.claimed_by:
        extra.append(f"claimed by <@{case.claimed_by}>")
    if case.report_count:
        extra.append(f"{case.report_count} report{'s' if case.report_count != 1 else ''}")
    tail = f" \u00b7 {', '.join(extra)}" if extra else ""
    link = f"[#{case.id}]({case.jump_url})" if case.jump_url else f"#{case.id}"
    return (
        f"**{link}** \u00b7 {labels} \u00b7 <@{case.author_id}> in <#{case.channel_id}> \u00b7 "
        f"{timestamp(case.created_at, 'R')}{tail}" + (f"\n\u2003{_excerpt(case)}" if with_excerpt else "")
    )


def render_queue_page(
    cases: Sequence[Case],
    *,
    total: int,
    page: int,
    page_size: int,
    label: str | None = None,
    channel_id: int | None = None,
    appeals: bool = False,
) -> QueuePage:
    """The ``/queue`` embed for one page of open cases (``appeals``: of cases with a pending appeal)."""
    pages = page_count(total, page_size)
    filters = []
    if label:
        filters.append(f"label **{escape_markdown(label)}**")
    if channel_id:
        filters.append(f"channel <#{channel_id}>")
    what = "pending appeal" if appeals else "open case"
    header = f"{total} {what}{'s' if total != 1 else ''}" + (f" ({', '.join(filters)})" if filters else "")
    description = ""
    for with_excerpt in (True, False):  # every case of the page must be listed: drop excerpts before cases
        body = "\n".join(queue_line(case, with_excerpt=with_excerpt) for case in cases) or "Nothing waiting. \u2705"
        description = f"{header}\n\n{body}"
        if len(description) <= DESCRIPTION_MAX:
            break
    content = CardContent(
        title="Review queue \u00b7 appeals" if appeals else "Review queue",
        description=description,
        color=QUEUE_COLOR,
        url=None,
        footer=f"Page {page}/{pages} \u00b7 /case id:<n> opens a case",
    )
    return QueuePage(content, page, pages, total)


def audit_line(entry: AuditEntry) -> str:
    """One audit entry: when, who, what, why."""
    who = f"<@{entry.actor_id}>" if entry.actor_id else "modbot"
    case = f" case #{entry.case_id}" if entry.case_id else ""
    reason = f" \u2014 {escape_markdown(entry.reason)[:150]}" if entry.reason else ""
    return f"{timestamp(entry.at, 'f')} {who} **{entry.action}**{case}{reason}"


def render_trail(entries: Sequence[AuditEntry], limit: int = 15) -> str:
    """A case's audit trail, oldest first (the newest ``limit`` entries)."""
    shown = list(entries)[-limit:]
    return "\n".join(audit_line(entry) for entry in shown) or "No actions yet."
