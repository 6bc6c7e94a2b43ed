"""Reconciliation after a crash: recognise cards and digests already posted, re-queue only the rest."""

from __future__ import annotations

from moderation.doubles import FakePublisher

from bot.moderation.cards import render_digest
from bot.moderation.cases import CaseRepository
from bot.moderation.custom_ids import CaseButtonId
from bot.moderation.ports import PostedMessage
from bot.moderation.reconcile import read_announcements, reconcile_all, reconcile_cards
from bot.moderation.scoring import Assessment
from bot.moderation.state import Action


def test_read_announcements_matches_cards_and_digests() -> None:
    messages = [
        PostedMessage(30, "", ("Case #3 \u00b7 message 99",), ()),
        PostedMessage(10, "", (), tuple(CaseButtonId(1, a).custom_id for a in (Action.APPROVE, Action.REMOVE))),
        PostedMessage(11, "", ("Case #1 \u00b7 message 98",), ()),  # a duplicate: the oldest wins
        PostedMessage(20, render_digest([4, 5, 6, 9]), (), ()),
        PostedMessage(21, "unrelated #7 text", (), ()),
    ]
    found = read_announcements(messages)
    assert found.cards == {1: 10, 3: 30}
    assert found.digests == {4: 20, 5: 20, 6: 20, 9: 20}


async def test_reconcile_records_posted_and_returns_the_rest(db, snap) -> None:
    repo = CaseRepository(db)
    ids = [(await repo.open(snap(), Assessment(True)))[0].id for _ in range(4)]
    await repo.set_card(ids[3], 7, 500)  # already recorded: not considered
    publisher = FakePublisher()
    publisher.history = [
        PostedMessage(401, "", (f"Case #{ids[0]} \u00b7 message 1",), (CaseButtonId(ids[0], Action.CLAIM).custom_id,)),
        PostedMessage(402, render_digest([ids[1]]), (), ()),
    ]
    plan = await reconcile_cards(repo, publisher, 7)
    assert plan.to_post == [ids[2]]
    assert (await repo.get(ids[0])).card_message_id == 401
    assert (await repo.get(ids[1])).digest_message_id == 402
    assert [c.id for c in await repo.unannounced()] == [ids[2]]


async def test_an_owed_card_posted_just_before_a_crash_is_recorded_not_posted_again(db, snap) -> None:
    """A digested case's own card reached Discord, then the process died before its id was stored."""
    repo = CaseRepository(db)
    digested, waiting = [(await repo.open(snap(), Assessment(True)))[0].id for _ in range(2)]
    await repo.set_digest([digested, waiting], 7, 300)
    publisher = FakePublisher()
    publisher.history = [PostedMessage(300, render_digest([digested, waiting]), (), ()),
                         PostedMessage(301, "", (f"Case #{digested} \u00b7 message 1",), ())]
    assert await reconcile_all(repo, publisher, lambda case: 7) == []
    assert (await repo.get(digested)).card_message_id == 301
    assert await repo.awaiting_card(7) == [waiting]  # only the one whose card is really missing is still owed
