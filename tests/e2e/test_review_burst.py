"""Bursts of flags: the mod channel stays usable (paced posts, backlog grouped into digests, Discord's rate limit
and 429s simulated), nothing crashes, every case is listed by /queue, high-severity cases always get their own
card, and once the burst has passed every open case has its own card (the policy in ``bot/moderation/posting.py``)."""

from __future__ import annotations

import re
from typing import Any

from moderation.doubles import MARKER, cards
from moderation.doubles import review as review  # noqa: F401  (fixture)

CREATE = "POST /channels/{channel_id}/messages"
CASE_LINK = re.compile(r"\*\*\[#(\d+)\]\(")
BURST = 200


async def test_burst_of_200_flags_is_grouped_and_fully_queued(review: Any, fake_discord: Any) -> None:
    fake_discord.faults.rate_limit(CREATE, limit=5, per=5.0)  # Discord's per-channel message bucket
    h = await review(overrides={"moderation": {"digest_threshold": 10, "cards_per_minute": 60,
                                               "queue_page_size": 15}})
    for i in range(BURST):
        await h.post_message("general", f"{MARKER} number {i}")
    await h.wait_for(lambda: h.db.fetchone("SELECT COUNT(*) AS n FROM mod_cases HAVING n = ?", (BURST,)),
                     timeout=10, message="every flag stored")
    unannounced = "SELECT COUNT(*) AS n FROM mod_cases WHERE card_message_id IS NULL AND digest_message_id IS NULL"
    await h.wait_for(lambda: h.db.fetchone(f"{unannounced} HAVING n = 0"), timeout=15, message="all announced")
    posts = h.bot_posts("mod-queue")
    digests = [m for m in posts if not m.embeds]
    burst_posts = posts[: posts.index(digests[-1]) + 1]  # after the last digest come the paced follow-up cards
    assert len(burst_posts) <= 10, f"{len(burst_posts)} messages in the mod channel during the burst"
    assert digests and all("use `/queue`" in m.content for m in digests)
    assert not [hit for hit in fake_discord.faults.hits if hit.status == 429]

    page = await h.slash("queue", user="moderator")
    assert f"{BURST} open cases" in page.embeds[0]["description"]
    seen = []
    while True:
        message = h.state.message(page.message.id)
        seen += [int(n) for n in CASE_LINK.findall(message.embeds[0]["description"])]
        if h.find_component(message.id, label="Next \u25b6").get("disabled"):
            break
        await h.click(message.id, "Next \u25b6", user="moderator")
    ids = [row[0] for row in await h.db.fetchall("SELECT id FROM mod_cases ORDER BY id")]
    assert seen == ids and len(set(seen)) == BURST


async def test_after_a_burst_with_429s_every_case_has_its_own_card(review: Any, fake_discord: Any) -> None:
    fake_discord.faults.rate_limit(CREATE, limit=10, per=1.0, advertise=False)  # learnt from 429s only
    fake_discord.faults.fail_next(CREATE, status=429, times=8, retry_after=0.05)
    h = await review(overrides={"moderation": {"digest_threshold": 10, "cards_per_minute": 1200}})
    count = 60
    for i in range(count):
        await h.post_message("general", f"{MARKER} {'SEVERE ' if i % 10 == 5 else ''}number {i}")
    await h.wait_for(lambda: h.db.fetchone("SELECT COUNT(*) AS n FROM mod_cases HAVING n = ?", (count,)),
                     timeout=10, message="every flag stored")
    await h.wait_for(lambda: h.db.fetchone("SELECT COUNT(*) AS n FROM mod_cases WHERE card_message_id IS NOT NULL "
                                           "HAVING n = ?", (count,)), timeout=30, message="a card for every case")
    await h.quiet(0.2)
    rows = await h.db.fetchall("SELECT * FROM mod_cases ORDER BY id")
    footers = [m.embeds[0]["footer"]["text"].split(" \u00b7 ")[0] for m in cards(h)]
    assert sorted(footers) == sorted(f"Case #{row['id']}" for row in rows)  # exactly one card per case
    assert {row["card_message_id"] for row in rows} == {m.id for m in cards(h)}
    assert [hit for hit in fake_discord.faults.hits if hit.status == 429]
    digested = [row for row in rows if row["digest_message_id"] is not None]
    assert digested, "the burst should have been announced by a digest"
    assert all(row["severity"] != "high" for row in digested)  # high severity: never only in a digest
    assert all("use `/queue`" in m.content for m in h.bot_posts("mod-queue") if not m.embeds)
