"""Helpers for /summary end-to-end tests: the posted summary message and its embed fields."""

from __future__ import annotations

from fake_discord import BotHarness, InteractionRecord
from fake_discord.state import FakeMessage

FIRST_SEED = "000-f672cd09ce46a324"
THREAD_ROUTE = "POST /channels/{channel_id}/messages/{message_id}/threads"


async def posted(h: BotHarness, record: InteractionRecord) -> FakeMessage:
    """The public summary message once the deferred answer was filled in."""
    return await h.wait_for(lambda: record.message if record.message is not None and record.message.embeds
                            else None, message="the summary to be posted")


def fields_of(message: FakeMessage) -> dict[str, str]:
    """Embed field values of the message's first embed, by field name."""
    return {f["name"]: f["value"] for f in message.embeds[0].get("fields") or []}
