"""/queue (pagination, filters), /case (with working buttons) and /history, moderators only."""

from __future__ import annotations

import re
from typing import Any

from moderation.doubles import MARKER, card_for, case_row, flag_and_wait
from moderation.doubles import review as review  # noqa: F401  (fixture)

CASE_LINK = re.compile(r"\*\*\[#(\d+)\]\(")


def listed(message: Any) -> list[int]:
    return [int(n) for n in CASE_LINK.findall(message.embeds[0]["description"])]


async def test_queue_lists_filters_and_pages(review: Any, fake_discord: Any) -> None:
    debate = fake_discord.state.add_channel(fake_discord.guild(), "debate")
    h = await review(overrides={"moderation": {"queue_page_size": 2}})
    ids = [(await flag_and_wait(h, f"{MARKER} {i}"))[1]["id"] for i in range(3)]
    ids.append((await flag_and_wait(h, f"{MARKER} over there", channel="debate"))[1]["id"])
    calm = await h.post_message("general", "just calm")
    opener = await h.context_menu("Report to moderators", calm, user="member")
    await h.submit_modal(opener, {"What is wrong with this message? (optional)": ""})
    reported = await h.wait_for(lambda: case_row(h, calm), message="reported case")

    page1 = await h.slash("queue", user="moderator")
    assert page1.ephemeral and "5 open cases" in page1.embeds[0]["description"]
    assert listed(page1.message) == ids[:2] and page1.embeds[0]["footer"]["text"].startswith("Page 1/3")
    nxt = await h.click(page1.message.id, "Next \u25b6", user="moderator")
    assert nxt.message is not None
    assert listed(h.state.message(page1.message.id)) == ids[2:4]
    await h.click(page1.message.id, "Next \u25b6", user="moderator")
    last = h.state.message(page1.message.id)
    assert listed(last) == [reported["id"]]
    assert h.find_component(last.id, label="Next \u25b6").get("disabled")

    only_reported = await h.slash("queue", {"label": "reported"}, user="moderator")
    assert listed(only_reported.message) == [reported["id"]]
    only_debate = await h.slash("queue", {"channel": debate.id}, user="moderator")
    assert listed(only_debate.message) == [ids[3]]
    choices = await h.autocomplete("queue", "label", "rep", user="moderator")
    assert [c["value"] for c in choices] == ["reported"]

    refused = await h.slash("queue", user="member")
    assert refused.ephemeral and "Only moderators" in refused.text()
    button = h.find_component(page1.message.id, label="Next \u25b6")
    assert button["custom_id"] == "modbot:queue:4:0:"  # the message shows page 3 now
    refused_click = await h.click(page1.message.id, "\u25c0 Previous", user="member")
    assert refused_click.ephemeral and "Only moderators" in refused_click.text()


async def test_forged_queue_page_buttons_are_answered(review: Any) -> None:
    """Any client can send any custom_id: a channel id out of SQLite's range, a page no queue has."""
    h = await review()
    await flag_and_wait(h)
    page = await h.slash("queue", user="moderator")
    button = h.find_component(page.message.id, label="Next \u25b6")
    button["disabled"] = False
    for forged, expected in ((f"modbot:queue:2:{2**64}:", "there is no channel"),
                             ("modbot:queue:" + "9" * 40 + ":0:", "1 open case")):
        button["custom_id"] = forged
        record = await h.click(page.message.id, custom_id=forged, user="moderator")
        answer = await h.wait_for(lambda r=record: r.text() if r.ephemeral else
                                  (h.state.message(page.message.id).embeds[0]["description"] if r.message else None),
                                  message=f"an answer to {forged}")
        assert expected in answer.lower(), (forged, answer)


async def test_case_command_shows_the_card_with_working_buttons(review: Any) -> None:
    h = await review()
    mid, row, card = await flag_and_wait(h)
    shown = await h.slash("case", {"id": row["id"]}, user="moderator")
    assert shown.ephemeral and shown.embeds[0]["title"].startswith(f"Case #{row['id']}")
    assert "case.open" in shown.embeds[1]["description"]
    await h.click(shown.message.id, "Approve", user="moderator")
    await h.wait_for(lambda: not card_for(h, row["id"]).components, message="posted card updated")
    await h.wait_for(lambda: not h.state.message(shown.message.id).components, message="ephemeral card updated")
    assert (await case_row(h, mid))["state"] == "approved"
    missing = await h.slash("case", {"id": 999}, user="moderator")
    assert "no case #999" in missing.text()
    refused = await h.slash("case", {"id": row["id"]}, user="member")
    assert "Only moderators" in refused.text()


async def test_history_lists_a_members_cases_and_actions(review: Any) -> None:
    h = await review()
    mid, row, card = await flag_and_wait(h)
    await h.click(card.id, "Remove", user="moderator")
    await h.wait_for(lambda: not card_for(h, row["id"]).components, message="removed")
    await flag_and_wait(h, f"second {MARKER}")
    shown = await h.slash("history", {"member": "member"}, user="moderator")
    text = shown.text()
    assert "2 cases" in text and "1 pending" in text and "1 removed" in text
    assert "case.remove" in text and f"<@{h.state.user('moderator').id}>" in text
    assert "Only moderators" in (await h.slash("history", {"member": "member"}, user="member")).text()


async def test_history_user_menu_lists_open_cases_first(review: Any, fake_discord: Any) -> None:
    """Right-click a member > Apps > Moderation history: ephemeral, moderators only."""
    from fake_discord.automod import add_rule
    from fake_discord.state import perm
    from fake_discord.world import BOT_PERMISSIONS

    await fake_discord.set_bot_permissions(value=BOT_PERMISSIONS | perm("manage_guild"))
    h = await review()
    mid, row, card = await flag_and_wait(h)
    await h.click(card.id, "Remove", user="moderator")
    await h.wait_for(lambda: not card_for(h, row["id"]).components, message="removed")
    _, open_row, _ = await flag_and_wait(h, f"second {MARKER}")
    rule = add_rule(fake_discord, "No slurs", ["badslur"])
    await h.automod_trigger(rule, "badslur again")
    await h.wait_for(lambda: h.db.fetchone("SELECT 1 FROM mod_cases WHERE source = 'automod'"), message="AutoMod")

    shown = await h.context_menu("Moderation history", "member", user="moderator")
    assert shown.ephemeral and shown.embeds[0]["title"] == "Moderation history"
    fields = {f["name"]: f["value"] for f in shown.embeds[0]["fields"]}
    assert list(fields) == ["Open cases", "Strikes (1 active)", "Recent cases", "Recent actions"]
    assert fields["Strikes (1 active)"].startswith(f"#{row['id']} \u00b7 remove \u00b7 fades <t:")  # the removal
    assert f"#{open_row['id']}" in fields["Open cases"] and "AutoMod" in fields["Open cases"]
    assert f"#{row['id']}" in fields["Recent cases"] and "Removed" in fields["Recent cases"]
    assert f"#{row['id']}" not in fields["Open cases"]
    assert "case.remove" in fields["Recent actions"]
    assert "3 cases" in shown.embeds[0]["description"] and "2 pending" in shown.embeds[0]["description"]

    refused = await h.context_menu("Moderation history", "member", user="member")
    assert refused.ephemeral and "Only moderators" in refused.text() and not refused.embeds
    clean = await h.context_menu("Moderation history", "admin", user="moderator")
    assert "0 cases (no cases)" in clean.text()
