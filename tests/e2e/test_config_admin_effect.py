"""/config changes take effect on the next message, without a restart: watch list, mod channel, mod-log channel,
thresholds (passed to the scorer per guild), automatic actions and the moderator role of the review queue."""

from __future__ import annotations

import asyncio
import re
from typing import Any

from fake_discord import payloads
from moderation.doubles import MARKER, REVIEW_COGS, cards, case_row, flag_and_wait
from moderation.doubles import review as review  # noqa: F401  (fixture)

from bot.analysis.config import PolicyConfig
from bot.moderation.scoring import Assessment

WITH_CONFIG = {"discord": {"cogs": [*REVIEW_COGS, "cogs.config_admin"]}}


class ThresholdScorer:
    """TEST DOUBLE: ``score=0.75`` in a text is its partisan score; flagged at or above the policy threshold."""

    def __init__(self) -> None:
        self.thresholds: list[float | None] = []

    async def analyze(self, texts: list[str], *, policy: PolicyConfig | None = None,
                      contexts: object = None) -> list[Assessment]:
        threshold = None if policy is None else policy.partisan_threshold
        self.thresholds.append(threshold)
        out = []
        for text in texts:
            found = re.search(r"score=([0-9.]+)", text)
            score = float(found.group(1)) if found else 0.0
            flagged = threshold is not None and score >= threshold
            out.append(Assessment(flagged, ("partisan",) if flagged else (), "medium" if flagged else "",
                                  (f"partisan {score:.2f}",) if flagged else (), text, {"partisan": score}))
        return out


async def configure(h: Any, key: str, value: str) -> None:
    record = await h.slash("config set", {"key": key, "value": value}, user="admin")
    assert record.text().startswith("\u2705"), record.text()


async def new_channel(h: Any, name: str) -> int:
    state = h.state
    guild = h.fake.guild()
    channel = state.add_channel(guild, name)
    await h.fake.gateway.dispatch("CHANNEL_CREATE", payloads.channel(state, channel), guild_id=guild.id)
    await h.wait_for(lambda: h.bot.get_channel(channel.id) is not None, message="the bot sees the new channel")
    return channel.id


async def settle(h: Any) -> None:
    await h.quiet()
    await asyncio.sleep(0.1)


async def test_ignored_channel_applies_to_the_next_message(review: Any) -> None:
    h = await review(overrides=WITH_CONFIG)
    general = h.state.channel("general").id
    await configure(h, "moderation.ignored_channel_ids", f"<#{general}>")
    ignored = await h.post_message("general", f"You are a {MARKER} person.")
    await settle(h)
    assert await case_row(h, ignored) is None and cards(h) == []
    await h.slash("config reset", {"key": "moderation.ignored_channel_ids"}, user="admin")
    mid, row, _card = await flag_and_wait(h)
    assert row["message_id"] == mid


async def test_mod_channel_and_mod_log_channel_move_without_restart(review: Any) -> None:
    h = await review(overrides=WITH_CONFIG)
    cases_channel = await new_channel(h, "cases")
    log_channel = await new_channel(h, "decisions")
    await configure(h, "moderation.mod_channel_id", f"<#{cases_channel}>")
    await configure(h, "moderation.mod_log_channel_id", f"<#{log_channel}>")
    mid = await h.post_message("general", f"You are a {MARKER} person.")
    card = (await h.wait_for(lambda: cards(h, "cases"), message="a card in the new mod channel"))[0]
    assert cards(h, "mod-queue") == []

    async def recorded() -> Any:
        row = await case_row(h, mid)
        return row if row is not None and row["card_message_id"] == card.id else None

    assert (await h.wait_for(recorded, message="the card recorded"))["card_channel_id"] == cases_channel
    await h.click(card.id, "Approve", user="moderator")
    entry = (await h.wait_for(lambda: h.bot_posts("decisions"), message="the mod-log entry"))[0]
    assert "approved" in entry.content
    assert h.bot_posts("mod-log") == []


async def test_threshold_change_reaches_the_scorer(review: Any) -> None:
    scorer = ThresholdScorer()
    h = await review(scorer=scorer, overrides=WITH_CONFIG)
    first = await h.post_message("general", "they are all the same score=0.85")
    await h.wait_for(lambda: scorer.thresholds, message="the first scoring")
    await h.wait_for(lambda: h.bot_posts("mod-queue"), message="a card at the file's threshold")
    assert scorer.thresholds[-1] == h.settings.policy.partisan_threshold <= 0.85
    assert (await case_row(h, first)) is not None
    await configure(h, "policy.partisan_threshold", "0.9")
    second = await h.post_message("general", "they are all the same again score=0.85")
    await h.wait_for(lambda: len(scorer.thresholds) >= 2, message="the second scoring")
    await settle(h)
    assert scorer.thresholds[-1] == 0.9
    assert await case_row(h, second) is None  # below the guild's new threshold


async def test_auto_action_applies_to_the_next_case(review: Any) -> None:
    h = await review(overrides=WITH_CONFIG)
    _mid, row, _card = await flag_and_wait(h, f"SEVERE {MARKER} one.")
    assert row["auto_action"] is None and not h.state.message(row["message_id"]).deleted
    await configure(h, "moderation.auto_actions", "high=remove")
    mid, row, _card = await flag_and_wait(h, f"SEVERE {MARKER} two.")
    await h.wait_for(lambda: h.state.message(mid).deleted, message="the automatic removal")
    assert (await case_row(h, mid))["auto_action"] == "removed"


async def test_moderator_role_applies_to_the_next_click(review: Any) -> None:
    h = await review(overrides=WITH_CONFIG)
    _mid, row, card = await flag_and_wait(h)
    admin_role = h.fake.guild().role_named("Admin").id
    await configure(h, "moderation.moderator_role_id", f"<@&{admin_role}>")
    refused = await h.click(card.id, "Approve", user="moderator")
    await h.wait_for(lambda: refused.text(), message="the refusal")
    assert "Only moderators" in refused.text()
    assert (await case_row(h, row["message_id"]))["state"] == "pending"
    await h.click(card.id, "Approve", user="admin")
    await h.wait_for(lambda: h.bot_posts("mod-log"), message="the decision by the admin")


async def test_summary_length_follows_the_server_setting(bot: Any) -> None:
    """``summaries.default_length`` set with /config is what /summary uses when no length is given."""

    async def bullets() -> list[str]:
        record = await bot.slash("summary", {"article": "000-f672cd09ce46a324"}, user="member")
        message = await bot.wait_for(lambda: record.message if record.message is not None and record.message.embeds
                                     else None, message="the summary")
        return [line for line in message.embeds[0]["description"].splitlines() if line.startswith("\u2022 ")]

    assert len(await bullets()) == 3  # the file default: medium = 3 sentences
    await configure(bot, "summaries.default_length", "short")
    assert len(await bullets()) == 2
