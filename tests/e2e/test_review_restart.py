"""Durability across restarts: persistent buttons, the reconciler (unposted cases, cards posted but not
recorded), failed card posts retried, and catching up on messages sent while the bot was down."""

from __future__ import annotations

from typing import Any

from moderation.doubles import MARKER, card_for, cards, case_row, flag_and_wait
from moderation.doubles import review as review  # noqa: F401  (fixture)

from bot.moderation.cases import CaseRepository
from bot.moderation.models import MessageSnapshot
from bot.moderation.scoring import Assessment

CREATE = "POST /channels/{channel_id}/messages"


async def test_buttons_still_work_after_a_restart(review: Any) -> None:
    h = await review()
    mid, row, card = await flag_and_wait(h)
    await h.quiet()
    await h.restart()
    await h.click(card.id, "Remove", user="moderator")
    await h.wait_for(lambda: h.state.message(mid).deleted, message="removal after restart")
    await h.wait_for(lambda: not card_for(h, row["id"]).components, message="card decided")
    assert (await case_row(h, mid))["state"] == "removed"
    assert len(cards(h)) == 1


async def test_stored_but_unposted_case_is_posted_at_start(review: Any) -> None:
    h = await review()
    await h.quiet()
    await h.stop()
    general = h.state.channel("general")
    snap = MessageSnapshot(message_id=123456789, guild_id=general.guild_id, channel_id=general.id,
                           author_id=h.state.user("member").id, content=f"stored {MARKER}")
    case, created = await CaseRepository(h.db).open(snap, Assessment(True, ("inflammatory",), "medium"))
    assert created and case.card_message_id is None
    await h.start()
    await h.wait_for(lambda: cards(h), message="the reconciler's card")
    row = await h.wait_for(lambda: case_row(h, 123456789), message="row")
    stored = await h.wait_for(
        lambda: h.db.fetchone("SELECT * FROM mod_cases WHERE id = ? AND card_message_id IS NOT NULL", (row["id"],)),
        message="card id recorded")
    assert stored["card_message_id"] == cards(h)[0].id


async def test_card_posted_before_a_crash_is_not_posted_twice(review: Any) -> None:
    h = await review()
    mid, row, card = await flag_and_wait(h)
    await h.quiet()
    await h.stop()
    await h.db.execute("UPDATE mod_cases SET card_message_id = NULL, card_channel_id = NULL")  # id never stored
    await h.start()
    stored = await h.wait_for(
        lambda: h.db.fetchone("SELECT * FROM mod_cases WHERE card_message_id IS NOT NULL"), message="recorded")
    await h.quiet(0.2)
    assert stored["card_message_id"] == card.id
    assert len(cards(h)) == 1


async def test_failed_card_post_is_retried_and_nothing_crashes(review: Any, fake_discord: Any) -> None:
    h = await review()
    await h.quiet()
    fake_discord.faults.fail_next(CREATE, status=403, code=50001, message="Missing Access", times=2)
    mid = await h.post_message("general", f"{MARKER} again")
    row = await h.wait_for(lambda: case_row(h, mid), message="the case is stored even though the post fails")
    assert row["card_message_id"] is None
    await h.wait_for(lambda: cards(h), timeout=5, message="the retried card")
    stored = await h.wait_for(
        lambda: h.db.fetchone("SELECT * FROM mod_cases WHERE card_message_id IS NOT NULL"), message="recorded")
    assert stored["id"] == row["id"] and len(cards(h)) == 1


async def test_messages_sent_while_down_are_caught_up(review: Any, fake_discord: Any) -> None:
    debate = fake_discord.state.add_channel(fake_discord.guild(), "debate")
    h = await review()
    await h.post_message("general", "hello")
    await h.wait_for(lambda: h.db.fetchone("SELECT 1 FROM mod_channel_cursors WHERE channel_id = ?", (debate.id,)),
                     message="the never-used channel to get a starting cursor")
    await h.quiet(0.1)
    await h.stop()
    missed = [await h.post_message("general", f"missed {MARKER} {i}") for i in range(3)]
    missed.append(await h.post_message(debate.id, f"new channel {MARKER}"))
    calm = await h.post_message("general", "calm while down")
    await h.start()
    for mid in missed:
        await h.wait_for(lambda mid=mid: case_row(h, mid), message=f"case for {mid}")
    await h.wait_for(lambda: len(cards(h)) == 4, message="four cards")
    assert await case_row(h, calm) is None
    await h.quiet(0.2)
    await h.restart()  # catching up again finds nothing new and posts nothing twice
    await h.quiet(0.2)
    assert len(cards(h)) == 4
    assert (await h.db.fetchone("SELECT COUNT(*) FROM mod_cases"))[0] == 4
