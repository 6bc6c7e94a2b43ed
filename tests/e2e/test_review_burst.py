"""A burst of 200 flags: the mod channel stays usable (paced posts, backlog grouped into digests, Discord's
rate limit simulated), nothing crashes, and every case is listed by /queue."""

from __future__ import annotations

import re
from typing import Any

from moderation.doubles import MARKER
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
    assert len(posts) <= 10, f"{len(posts)} messages in the mod channel"
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
