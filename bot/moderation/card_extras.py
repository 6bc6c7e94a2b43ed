"""What a case card shows beyond the case itself: the author's strikes (and the ladder's suggestion) and the appeal.

:class:`CardExtras` is loaded by :class:`~bot.moderation.sanctions.Sanctions` when a card is rendered;
:func:`extra_fields` and :func:`extra_buttons` turn it into card fields and buttons (plain data, like the rest of
:mod:`bot.moderation.cards`).
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.moderation.appeals import Appeal, AppealState
from bot.moderation.cards import CardButton, CardField, displayable, escape_markdown
from bot.moderation.custom_ids import AppealDecisionId, AppealsToggleId, LadderButtonId
from bot.moderation.models import Case
from bot.moderation.strikes import LadderStep, format_minutes, ordinal


@dataclass(frozen=True)
class StrikeContext:
    """The author's active strikes when the card was rendered, and what the ladder says about the next decision.

    ``suggestion`` is None when no ladder step applies or when the author is staff (``staff``): staff are never
    suggested against."""

    active: int
    decay_days: int
    suggestion: LadderStep | None = None
    upcoming: LadderStep | None = None
    staff: bool = False


@dataclass(frozen=True)
class CardExtras:
    """Strikes (open cases), the appeal (decided cases), and whether the guild takes appeals at all."""

    strikes: StrikeContext | None = None
    appeal: Appeal | None = None
    appeals_enabled: bool = True


def suggestion_label(step: LadderStep) -> str:
    """``Timeout 1 hour (3rd strike)``."""
    return f"Timeout {format_minutes(step.minutes)} ({ordinal(step.strike)} strike)"


def _strikes_text(context: StrikeContext) -> str:
    noun = "strike" if context.active == 1 else "strikes"
    text = f"{context.active} active {noun} (last {context.decay_days} days)"
    if context.staff:
        return text + "\nStaff: no ladder suggestion"
    if context.suggestion is not None:
        return text + f"\nLadder: this decision is the {ordinal(context.suggestion.strike)} strike \u2192 " \
                      f"timeout {format_minutes(context.suggestion.minutes)} suggested"
    if context.upcoming is not None:
        return text + f"\nNext: timeout {format_minutes(context.upcoming.minutes)} at the " \
                      f"{ordinal(context.upcoming.strike)} strike"
    return text


def _quote(text: str, limit: int = 600) -> str:
    clipped = text if len(text) <= limit else text[: limit - 1] + "\u2026"
    return "\n".join(f"> {escape_markdown(displayable(line))}" for line in clipped.splitlines() or [""])


def _appeal_text(appeal: Appeal) -> str:
    when = f"<t:{int(appeal.created_at.timestamp())}:R>"
    head = f"<@{appeal.member_id}> appealed {when}"
    if appeal.state is AppealState.PENDING:
        status = "Waiting for a moderator"
    else:
        decided = f" <t:{int(appeal.decided_at.timestamp())}:f>" if appeal.decided_at else ""
        status = f"**{appeal.state.value.capitalize()}** by <@{appeal.decided_by}>{decided}"
    said = _quote(appeal.text) if appeal.text else "_Appeal text purged after the retention period._"
    return f"{head}\n{said}\n{status}"


def extra_fields(case: Case, extras: CardExtras) -> list[CardField]:
    """The Strikes field (open cases) and the Appeal field (when there is one)."""
    fields = []
    strikes = extras.strikes
    if strikes is not None and case.is_open and (strikes.active or strikes.suggestion is not None):
        fields.append(CardField("Strikes", _strikes_text(strikes), inline=False))
    if case.is_open and not case.appealable:
        fields.append(CardField("Appeals", "Off for this decision (final)", inline=False))
    if extras.appeal is not None:
        fields.append(CardField("Appeal", _appeal_text(extras.appeal)[:1024], inline=False))
    elif not case.is_open and not case.appealable:
        fields.append(CardField("Appeals", "None: the decision was marked final", inline=False))
    return fields


def extra_buttons(case: Case, extras: CardExtras) -> list[CardButton]:
    """The ladder's suggested timeout and the appeals switch (open cases); Accept / Deny (a pending appeal)."""
    buttons = []
    if case.is_open:
        step = extras.strikes.suggestion if extras.strikes is not None else None
        if step is not None:
            buttons.append(CardButton(LadderButtonId(case.id, step.minutes), suggestion_label(step), "danger"))
        if extras.appeals_enabled:
            toggle = AppealsToggleId(case.id, not case.appealable)
            buttons.append(CardButton(toggle, "Allow appeal" if not case.appealable else "No appeal", "secondary"))
    elif extras.appeal is not None and extras.appeal.state is AppealState.PENDING:
        buttons.append(CardButton(AppealDecisionId(case.id, True), "Accept appeal", "success"))
        buttons.append(CardButton(AppealDecisionId(case.id, False), "Deny appeal", "danger"))
    return buttons
