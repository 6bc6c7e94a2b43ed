"""Turning message texts into assessments with each guild's policy, so that one message never affects another.

A batch is scored in one scorer call; when that call fails the batch is scored again one message at a time, and
only the messages that fail on their own are returned as exceptions (the service keeps them for a retry, see
:mod:`bot.moderation.unscored`).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

from bot.analysis.context import MessageContext
from bot.moderation.models import MessageSnapshot
from bot.moderation.per_guild import PerGuild
from bot.moderation.scoring import Assessment, MessageScorer

if TYPE_CHECKING:
    from bot.analysis.config import PolicyConfig

log = logging.getLogger(__name__)


def context_of(message: MessageSnapshot) -> MessageContext | None:
    """What the message answers, for the scorer: the replied-to text and the ``/summary`` thread's article title."""
    parent = message.reply_to.content if message.reply_to is not None else None
    if not parent and not message.article_title:
        return None
    return MessageContext(parent=parent or None, title=message.article_title)


async def assess_texts(scorer: MessageScorer | None, texts: list[str], policy: PolicyConfig | None = None,
                       contexts: list[MessageContext | None] | None = None) -> list[Assessment]:
    """One scorer call with the guild's ``policy``; no scorer: nothing is flagged."""
    if scorer is None:
        return [Assessment(False) for _ in texts]
    if contexts is not None and all(c is None for c in contexts):
        contexts = None
    assessments = await scorer.analyze(texts, policy=policy, contexts=contexts)
    if len(assessments) != len(texts):
        raise ValueError(f"scorer returned {len(assessments)} verdicts for {len(texts)} texts")
    return list(assessments)


async def assess_messages(scorer: MessageScorer | None, per_guild: PerGuild,
                          messages: Sequence[MessageSnapshot]) -> list[Assessment]:
    """Score messages with each guild's own policy (one scorer call per guild)."""
    by_guild: dict[int, list[int]] = {}
    for index, message in enumerate(messages):
        by_guild.setdefault(message.guild_id, []).append(index)
    out: dict[int, Assessment] = {}
    for guild_id, indexes in by_guild.items():
        results = await assess_texts(scorer, [messages[i].content for i in indexes], per_guild.policy_for(guild_id),
                                     [context_of(messages[i]) for i in indexes])
        out.update(zip(indexes, results, strict=True))
    return [out[i] for i in range(len(messages))]


async def assess_isolated(scorer: MessageScorer | None, per_guild: PerGuild,
                          messages: Sequence[MessageSnapshot]) -> list[Assessment | Exception]:
    """Like :func:`assess_messages`, but a failure is returned per message instead of failing the whole batch."""
    try:
        return list(await assess_messages(scorer, per_guild, messages))
    except Exception as exc:
        if len(messages) == 1:
            return [exc]
        log.warning("scoring a batch of %d messages failed (%s); scoring them one by one", len(messages),
                    type(exc).__name__)
    results: list[Assessment | Exception] = []
    for message in messages:
        try:
            results.extend(await assess_messages(scorer, per_guild, [message]))
        except Exception as exc:
            results.append(exc)
    return results
