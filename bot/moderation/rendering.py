"""Cards rendered by the core, with their extras, whoever asks for them to be posted.

:class:`RenderingPublisher` is the :class:`~bot.moderation.ports.CardPublisher` the card workers and the review use:
it renders each card in full (:meth:`~bot.moderation.sanctions.Sanctions.render`: the guild's excerpt length, the
author's strikes and the ladder's suggestion, the appeal) and hands the content to the Discord publisher.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime

from bot.moderation.cards import CardContent
from bot.moderation.models import Case
from bot.moderation.ports import CardPublisher, PostedMessage

Render = Callable[[Case], Awaitable[CardContent]]


class RenderingPublisher:
    """A :class:`CardPublisher` that renders cards with ``render`` before ``inner`` posts them."""

    def __init__(self, inner: CardPublisher, render: Render) -> None:
        self.inner = inner
        self._render = render

    async def post_card(self, channel_id: int, case: Case, content: CardContent | None = None, *,
                        mention_roles: Sequence[int] = ()) -> int:
        """Render (unless given) and post."""
        return await self.inner.post_card(channel_id, case, content or await self._render(case),
                                          mention_roles=mention_roles)

    async def post_digest(self, channel_id: int, case_ids: Sequence[int], *,
                          mention_roles: Sequence[int] = ()) -> int:
        """As the inner publisher."""
        return await self.inner.post_digest(channel_id, case_ids, mention_roles=mention_roles)

    async def post_quiet_digest(self, channel_id: int, cases: Sequence[Case], *,
                                mention_roles: Sequence[int] = ()) -> int:
        """As the inner publisher."""
        return await self.inner.post_quiet_digest(channel_id, cases, mention_roles=mention_roles)

    async def refresh_card(self, case: Case, content: CardContent | None = None) -> None:
        """Render (unless given) and show on the posted card."""
        if case.card_message_id is None:
            return
        await self.inner.refresh_card(case, content or await self._render(case))

    async def post_mod_log(self, text: str, channel_id: int | None = None) -> None:
        """As the inner publisher."""
        if channel_id is None:
            await self.inner.post_mod_log(text)
        else:
            await self.inner.post_mod_log(text, channel_id=channel_id)

    async def recent_posts(self, channel_id: int, since: datetime, limit: int) -> list[PostedMessage]:
        """As the inner publisher."""
        return await self.inner.recent_posts(channel_id, since, limit)
