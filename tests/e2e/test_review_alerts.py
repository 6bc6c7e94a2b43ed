"""Alert noise, end to end: a card pings only the role configured for its severity (and Discord is told to notify
exactly that role); quiet mode posts periodic digests instead of cards; both set per server with /config."""

from __future__ import annotations

from typing import Any

from moderation.doubles import MARKER, REVIEW_COGS, cards, case_row
from moderation.doubles import review as review  # noqa: F401  (fixture)

CREATE = "POST /channels/{channel_id}/messages"


async def card_of(h: Any, message_id: int) -> Any:
    async def ready() -> Any:
        row = await case_row(h, message_id)
        return row if row is not None and (row["card_message_id"] or row["digest_message_id"]) else None

    row = await h.wait_for(ready, message="the case announced")
    return h.state.message(row["card_message_id"] or row["digest_message_id"])


async def test_only_the_configured_severity_pings_its_role(review: Any, fake_discord: Any) -> None:
    role = fake_discord.guild().role_named("Moderator")
    h = await review(overrides={"moderation": {"ping_roles": {"high": role.id}}})
    severe = await card_of(h, await h.post_message("general", f"SEVERE {MARKER} rant"))
    assert severe.content == f"<@&{role.id}>"
    assert severe.notified_roles == {role.id} and not severe.notifies_everyone
    assert severe.allowed_mentions is not None and severe.allowed_mentions.get("parse") == []
    medium = await card_of(h, await h.post_message("general", f"mild {MARKER}"))
    assert medium.content == "" and medium.notified_roles == set()
    assert medium.allowed_mentions == {"parse": [], "replied_user": False} or not medium.allowed_mentions.get("roles")
    log_entries = h.bot_posts("mod-log")
    assert all(not m.notified_roles for m in log_entries)


async def test_no_policy_no_pings_and_config_sets_one(review: Any, fake_discord: Any) -> None:
    role = fake_discord.guild().role_named("Moderator")
    h = await review(overrides={"discord": {"cogs": [*REVIEW_COGS, "cogs.config_admin"]}})
    first = await card_of(h, await h.post_message("general", f"SEVERE {MARKER} one"))
    assert first.content == "" and not first.notified_roles
    done = await h.slash("config set", {"key": "moderation.ping_roles", "value": f"high=<@&{role.id}>"}, user="admin")
    assert "high=<@&" in done.text(), done.text()
    everyone = await h.slash("config set", {"key": "moderation.ping_roles", "value": f"high={role.guild_id}"},
                             user="admin")
    assert "never go to @everyone" in everyone.text()
    second = await card_of(h, await h.post_message("general", f"SEVERE {MARKER} two"))
    assert second.notified_roles == {role.id}


async def test_quiet_mode_posts_digests_instead_of_cards(review: Any, fake_discord: Any) -> None:
    role = fake_discord.guild().role_named("Moderator")
    h = await review(overrides={"moderation": {"quiet_mode": True, "ping_roles": {"high": role.id}}})
    queue = h.bot.moderation.review.card_queue
    queue._policy = lambda guild_id: queue_policy(h, guild_id)  # a 0.3 s period instead of minutes
    mids = [await h.post_message("general", f"{MARKER} {i}") for i in range(3)]
    mids.append(await h.post_message("general", f"SEVERE {MARKER}"))
    digest = await h.wait_for(lambda: [m for m in h.bot_posts("mod-queue") if "new case" in m.content],
                              message="a quiet digest")
    await h.quiet(0.1)
    assert not cards(h, "mod-queue") or all("Case #" not in str(m.embeds[0].get("footer")) for m in cards(h))
    assert len(digest) == 1 and "**4 new cases**" in digest[0].content and "quiet mode" in digest[0].content
    assert digest[0].notified_roles == {role.id}  # a high case is in it
    assert digest[0].embeds[0]["description"].count("Case ") == 4
    rows = [await case_row(h, mid) for mid in mids]
    assert all(r["digest_message_id"] == digest[0].id and r["card_message_id"] is None for r in rows)
    shown = await h.slash("queue", user="moderator")
    assert "4 open cases" in shown.embeds[0]["description"]
    await h.restart()  # quiet digests owe no follow-up cards
    await h.quiet(0.2)
    assert len([m for m in h.bot_posts("mod-queue") if m.embeds and "footer" in m.embeds[0]]) == 0


def queue_policy(h: Any, guild_id: int) -> Any:
    from dataclasses import replace

    return replace(h.bot.moderation.review._per_guild.alert_policy(guild_id), quiet_seconds=0.3)
