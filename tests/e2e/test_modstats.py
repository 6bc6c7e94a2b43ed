"""/modstats end to end: cases seeded through the review queue's repository, then a PNG chart with the right counts."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

from fake_discord import BotHarness, FakeDiscord, payloads
from PIL import Image

from bot.moderation.cases import CaseRepository
from bot.moderation.models import MessageSnapshot
from bot.moderation.scoring import Assessment
from bot.moderation.state import Action, CaseState
from cogs.modstats import FILENAME, REFUSAL

UNKNOWN_CHANNEL = 4242


async def seed(bot: BotHarness, fake: FakeDiscord) -> None:
    """Three cases in the last 7 days, one older, one in another guild."""
    repo = CaseRepository(bot.bot.db)
    gid = fake.guild().id
    general = fake.state.channel("general").id
    moderator = fake.state.user("moderator").id
    now = datetime.now(UTC)
    plan = [
        # (created, labels, channel, decision, minutes to decide, guild)
        (now - timedelta(days=2), ("inflammatory",), general, (Action.REMOVE, CaseState.REMOVED), 10, gid),
        (now - timedelta(days=2, hours=1), ("partisan", "toxic"), general, (Action.APPROVE, CaseState.APPROVED), 30,
         gid),
        (now - timedelta(minutes=1), ("inflammatory",), UNKNOWN_CHANNEL, None, 0, gid),
        (now - timedelta(days=10), ("threat",), general, None, 0, gid),
        (now - timedelta(days=1), ("threat",), general, None, 0, gid + 1),
    ]
    for n, (created, labels, channel, decision, minutes, guild) in enumerate(plan, start=1):
        snapshot = MessageSnapshot(message_id=10_000 + n, guild_id=guild, channel_id=channel, author_id=99,
                                   content=f"seeded message {n}")
        case, created_now = await repo.open(snapshot, Assessment(True, labels, "medium"), now=created)
        assert created_now
        if decision is not None:
            action, state = decision
            when = created + timedelta(minutes=minutes)
            assert (await repo.try_lock(case.id, moderator, action, now=when)).acquired
            assert await repo.finish(case.id, moderator, action, state, now=when) is not None


def chart_of(record) -> tuple[bytes, str | None]:
    files = [a for response in record.responses for a in response.attachments]
    assert [a.filename for a in files] == [FILENAME]
    return files[0].data, files[0].description


async def test_modstats_posts_png_with_the_right_counts(bot: BotHarness, fake_discord: FakeDiscord) -> None:
    await seed(bot, fake_discord)
    record = await bot.slash("modstats", {"days": 7}, user="moderator")
    await bot.wait_for(lambda: any(r.attachments for r in record.responses), message="the chart")
    assert record.ephemeral
    data, alt = chart_of(record)
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    image = Image.open(io.BytesIO(data)).convert("RGB")
    assert image.size[0] >= 800 and image.size[1] >= 800
    assert len(image.getcolors(maxcolors=1 << 20) or []) > 10  # drawn, not blank
    embed = next(r for r in record.responses if r.attachments).embeds[0]
    text = embed["description"]
    assert ": 3 cases." in text
    assert "By label: inflammatory 2, partisan 1, toxic 1." in text
    assert "By decision: pending 1, approved 1, removed 1." in text
    assert f"Top channels: #general 2, #{UNKNOWN_CHANNEL} 1." in text
    assert "Median time to a decision: 20 min (2 decided)." in text
    assert "threat" not in text  # older than 7 days, or another guild
    assert embed["image"]["url"] == f"attachment://{FILENAME}"
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    assert fields == {"Cases": "3", "Decided": "2", "Median time to a decision": "20 min"}
    assert alt is not None and alt.startswith("Last 7 days") and "inflammatory 2" in alt
    assert bot.bot_posts("general") == []


async def test_modstats_window_and_public_option(bot: BotHarness, fake_discord: FakeDiscord) -> None:
    await seed(bot, fake_discord)
    record = await bot.slash("modstats", {"days": 14, "public": True}, user="admin")
    await bot.wait_for(lambda: any(r.attachments for r in record.responses), message="the chart")
    assert not record.ephemeral
    embed = next(r for r in record.responses if r.attachments).embeds[0]
    assert ": 4 cases." in embed["description"] and "threat 1" in embed["description"]


async def test_modstats_with_no_cases_still_draws(bot: BotHarness) -> None:
    record = await bot.slash("modstats", user="moderator")
    await bot.wait_for(lambda: any(r.attachments for r in record.responses), message="the chart")
    data, _alt = chart_of(record)
    assert data.startswith(b"\x89PNG")
    text = next(r for r in record.responses if r.attachments).embeds[0]["description"]
    assert "Last 7 days" in text and ": 0 cases." in text and "Median time to a decision: n/a" in text


async def test_modstats_refuses_members(bot: BotHarness, fake_discord: FakeDiscord) -> None:
    record = await bot.slash("modstats", user="member")
    assert record.ephemeral and record.text() == REFUSAL
    assert not any(r.attachments for r in record.responses)


async def test_modstats_honours_the_guild_moderator_role(bot: BotHarness, fake_discord: FakeDiscord) -> None:
    """With a moderator role set by /config (no restart), that role is what counts, not Manage Messages."""
    guild = fake_discord.guild()
    helper = fake_discord.state.add_role(guild, "Helper", 0, 1)
    await fake_discord.gateway.dispatch("GUILD_ROLE_CREATE", {"guild_id": str(guild.id), "role": payloads.role(helper)},
                                        guild_id=guild.id)
    await bot.add_member("helper", "hal")
    await bot.set_roles("helper", "Helper")
    assert (await bot.slash("modstats", user="helper")).text() == REFUSAL
    record = await bot.slash("config set", {"key": "moderation.moderator_role_id", "value": f"<@&{helper.id}>"},
                             user="admin")
    assert "\u2705" in record.text(), record.text()
    record = await bot.slash("modstats", user="helper")
    await bot.wait_for(lambda: any(r.attachments for r in record.responses), message="the chart")
    assert (await bot.slash("modstats", user="moderator")).text() == REFUSAL  # Manage Messages, not the role
