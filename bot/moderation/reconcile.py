"""Start-up reconciliation: find cases stored but never announced, recognise cards a crash left unrecorded.

A card may have reached Discord just before a crash, before its message id was stored. Before re-posting, the
reconciler reads the mod channel back and matches cards (footer ``Case #N`` or a ``modbot:case:N:`` custom_id) and
digests (``#N–#M``) to cases, so every case ends up with exactly one card. The same holds for the own card a
digested case is still owed (posted by the card worker after the digest): one found in the channel is recorded,
so the worker does not post it twice. Every mod channel in use is read: the
file config's and each guild's own (set with ``/config``), each for the cases that would be posted there.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from bot.moderation.cards import CARD_FOOTER, parse_digest
from bot.moderation.cases import CaseRepository
from bot.moderation.custom_ids import case_of_card_component
from bot.moderation.models import Case
from bot.moderation.ports import CardPublisher, PostedMessage

log = logging.getLogger(__name__)

SCAN_MARGIN = timedelta(minutes=5)


@dataclass
class Announcements:
    """What the mod channel already shows: ``cards[case_id]`` and ``digests[case_id]`` are message ids."""

    cards: dict[int, int] = field(default_factory=dict)
    digests: dict[int, int] = field(default_factory=dict)


def read_announcements(messages: Iterable[PostedMessage]) -> Announcements:
    """Match posted messages to case ids. The oldest card of a case wins (messages are read oldest first)."""
    found = Announcements()
    for message in sorted(messages, key=lambda m: m.message_id):
        case_ids: set[int] = set()
        for custom_id in message.custom_ids:
            case_id = case_of_card_component(custom_id)
            if case_id is not None:
                case_ids.add(case_id)
        for footer in message.footers:
            match = CARD_FOOTER.search(footer)
            if match:
                case_ids.add(int(match["case_id"]))
        for case_id in case_ids:
            found.cards.setdefault(case_id, message.message_id)
        if not case_ids:
            for case_id in parse_digest(message.content):
                found.digests.setdefault(case_id, message.message_id)
    return found


@dataclass(frozen=True)
class ReconcilePlan:
    """What to do with the unannounced cases."""

    record_cards: dict[int, int]
    record_digests: dict[int, int]
    to_post: list[int]


def plan(unannounced: Iterable[Case], announcements: Announcements, owed: Iterable[Case] = ()) -> ReconcilePlan:
    """Split unannounced cases into already-posted (record the ids) and still to post; the own card of an
    ``owed`` (digested) case is recorded when found, else the card worker still owes it."""
    cards: dict[int, int] = {case.id: announcements.cards[case.id] for case in owed if case.id in announcements.cards}
    digests: dict[int, int] = {}
    to_post: list[int] = []
    for case in unannounced:
        if case.id in announcements.cards:
            cards[case.id] = announcements.cards[case.id]
        elif case.id in announcements.digests:
            digests[case.id] = announcements.digests[case.id]
        else:
            to_post.append(case.id)
    return ReconcilePlan(cards, digests, to_post)


async def reconcile_all(
    cases: CaseRepository, publisher: CardPublisher, channel_of: Callable[[Case], int | None], *,
    scan_limit: int = 2000,
) -> list[Case]:
    """Reconcile every mod channel that unannounced cases belong to (``channel_of(case)``: the mod channel its
    guild uses now; None: no mod channel, the case is only listed by /queue). Returns the cases still to post."""
    pending = await cases.unannounced()
    by_channel: dict[int, list[Case]] = {}
    for case in pending:
        channel_id = channel_of(case)
        if channel_id:
            by_channel.setdefault(channel_id, []).append(case)
    owed: dict[int, list[Case]] = {}  # digested cases owed their own card, by the channel of their digest
    for case in await cases.digested_without_card():
        if case.card_channel_id:
            owed.setdefault(case.card_channel_id, []).append(case)
    to_post: set[int] = set()
    for channel_id in sorted(set(by_channel) | set(owed)):
        result = await reconcile_cards(cases, publisher, channel_id, scan_limit=scan_limit,
                                       pending=by_channel.get(channel_id, []), owed=owed.get(channel_id, []))
        to_post.update(result.to_post)
    return [case for case in pending if case.id in to_post]


async def reconcile_cards(
    cases: CaseRepository, publisher: CardPublisher, channel_id: int, *, scan_limit: int = 2000,
    pending: Sequence[Case] | None = None, owed: Sequence[Case] = (),
) -> ReconcilePlan:
    """Record cards/digests a crash left unrecorded and return the cases that still need a card (``pending``:
    the unannounced cases meant for this channel; all unannounced cases by default; ``owed``: digested cases of
    this channel still owed their own card, whose card is recorded when found)."""
    if pending is None:
        pending = await cases.unannounced()
    if not pending and not owed:
        return ReconcilePlan({}, {}, [])
    since = min(case.created_at for case in [*pending, *owed]) - SCAN_MARGIN
    try:
        posted = await publisher.recent_posts(channel_id, since, scan_limit)
    except Exception:
        log.exception("could not read mod channel %d back; posting unannounced cases without matching", channel_id)
        posted = []
    result = plan(pending, read_announcements(posted), owed)
    for case_id, message_id in result.record_cards.items():
        await cases.set_card(case_id, channel_id, message_id)
    by_digest: dict[int, list[int]] = {}
    for case_id, message_id in result.record_digests.items():
        by_digest.setdefault(message_id, []).append(case_id)
    for message_id, ids in by_digest.items():
        await cases.set_digest(ids, channel_id, message_id)
    if result.record_cards or result.record_digests:
        log.info(
            "reconciled %d cards and %d digest entries posted before a restart",
            len(result.record_cards), len(result.record_digests),
        )
    return result
