"""Posts case cards, digests and mod-log entries on Discord, and reads the mod channel back for reconciliation."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import discord
from discord.ext import commands

from bot.moderation.cards import CardContent, render_card, render_digest, render_quiet_digest
from bot.moderation.config import ModerationConfig
from bot.moderation.listing import QUEUE_COLOR
from bot.moderation.models import Case
from bot.moderation.ports import PostedMessage
from discord_edge.case_card import card_embed, card_view

NO_MENTIONS = discord.AllowedMentions.none()


def ping_text(role_ids: Sequence[int]) -> str:
    """``<@&1> <@&2>``: the mentions the ping policy asks for."""
    return " ".join(f"<@&{int(role_id)}>" for role_id in role_ids)


def pinging(role_ids: Sequence[int]) -> discord.AllowedMentions:
    """Exactly these roles may be notified: never @everyone/@here, users or any other role."""
    if not role_ids:
        return NO_MENTIONS
    return discord.AllowedMentions(everyone=False, users=False, replied_user=False,
                                   roles=[discord.Object(id=int(role_id)) for role_id in role_ids])


def _component_ids(components: Sequence[Any]) -> list[str]:
    ids: list[str] = []
    for component in components:
        custom = getattr(component, "custom_id", None)
        if custom:
            ids.append(str(custom))
        ids.extend(_component_ids(getattr(component, "children", None) or []))
    return ids


class DiscordCardPublisher:
    """The :class:`bot.moderation.ports.CardPublisher` over discord.py (REST only, no cache needed)."""

    def __init__(self, bot: commands.Bot | commands.AutoShardedBot, config: ModerationConfig) -> None:
        self._bot = bot
        self._config = config

    def _channel(self, channel_id: int) -> discord.abc.Messageable:
        return self._bot.get_channel(channel_id) or self._bot.get_partial_messageable(channel_id)  # type: ignore[return-value]

    async def post_card(self, channel_id: int, case: Case, content: CardContent | None = None, *,
                        mention_roles: Sequence[int] = ()) -> int:
        """Post the card (``content``: rendered by the core, with strikes and appeal); the nonce makes Discord drop
        a duplicate of the same case's card sent moments before. ``mention_roles`` (the ping policy) go in the
        message text, and only they may be notified."""
        content = content or render_card(case, excerpt_chars=self._config.excerpt_chars)
        view = card_view(content)
        kwargs: dict[str, Any] = {"view": view} if view is not None else {}
        message = await self._channel(channel_id).send(
            ping_text(mention_roles) or None, embed=card_embed(content), allowed_mentions=pinging(mention_roles),
            nonce=f"modbot-case-{case.id}"[:25], **kwargs
        )
        return message.id

    async def post_digest(self, channel_id: int, case_ids: Sequence[int], *,
                          mention_roles: Sequence[int] = ()) -> int:
        """Post one message standing for several cases."""
        text = " ".join(filter(None, [ping_text(mention_roles), render_digest(case_ids)]))
        message = await self._channel(channel_id).send(text, allowed_mentions=pinging(mention_roles))
        return message.id

    async def post_quiet_digest(self, channel_id: int, cases: Sequence[Case], *,
                                mention_roles: Sequence[int] = ()) -> int:
        """Quiet mode: one message listing new cases (the ids in its text, a line per case in an embed)."""
        header, listing = render_quiet_digest(cases)
        text = " ".join(filter(None, [ping_text(mention_roles), header]))
        embed = discord.Embed(description=listing, color=QUEUE_COLOR)
        message = await self._channel(channel_id).send(text, embed=embed, allowed_mentions=pinging(mention_roles))
        return message.id

    async def refresh_card(self, case: Case, content: CardContent | None = None) -> None:
        """Edit the posted card in place; decided cards lose their case buttons."""
        if case.card_message_id is None or case.card_channel_id is None:
            return
        content = content or render_card(case, excerpt_chars=self._config.excerpt_chars)
        partial = self._bot.get_partial_messageable(case.card_channel_id).get_partial_message(case.card_message_id)
        await partial.edit(embed=card_embed(content), view=card_view(content))

    async def post_mod_log(self, text: str, channel_id: int | None = None) -> None:
        """One line per decision in the mod-log channel (``channel_id``: a guild's own, set with /config)."""
        channel_id = channel_id or self._config.mod_log_channel_id
        if channel_id:
            await self._channel(channel_id).send(text[:2000], allowed_mentions=NO_MENTIONS)

    async def recent_posts(self, channel_id: int, since: datetime, limit: int) -> list[PostedMessage]:
        """The bot's own messages in the channel after ``since``, oldest first."""
        me = self._bot.user
        out: list[PostedMessage] = []
        async for message in self._channel(channel_id).history(after=since, limit=limit, oldest_first=True):
            if me is None or message.author.id != me.id:
                continue
            footers = tuple(embed.footer.text for embed in message.embeds if embed.footer and embed.footer.text)
            out.append(PostedMessage(message.id, message.content, footers, tuple(_component_ids(message.components))))
        return out
