"""Alert noise in the card worker: pings per severity (cards and digests, never follow-ups), quiet mode holding
cases for one periodic digest, and the guild config keys that set them."""

from __future__ import annotations

import asyncio

import pytest
from moderation.doubles import FakePublisher

from bot.guildconf import GUILD_KEYS, ValueParseError, format_value, parse_value
from bot.moderation.alerts import AlertPolicy, policy_of
from bot.moderation.cases import CaseRepository
from bot.moderation.config import ModerationConfig
from bot.moderation.posting import CardPostQueue
from bot.moderation.scoring import Assessment

GUILD, ROLE, OTHER = 10, 500, 600


class Clock:
    """TEST DOUBLE: a monotonic clock the test moves."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def _open(repo: CaseRepository, snap, severities: list[str]) -> list[int]:
    return [(await repo.open(snap(), Assessment(True, ("x",), severity)))[0].id for severity in severities]


@pytest.fixture
async def parts(db):
    repo, publisher, queues = CaseRepository(db), FakePublisher(), []

    def make(policy: AlertPolicy, **kwargs) -> CardPostQueue:
        queue = CardPostQueue(7, repo, publisher, digest_threshold=kwargs.pop("digest_threshold", 0), per_minute=0,
                              retry_seconds=0.01, policy=lambda _guild: policy, **kwargs)
        queue.start()
        queue.open_gate()
        queues.append(queue)
        return queue

    yield repo, publisher, make
    for queue in queues:
        await queue.stop()


def test_pings_only_configured_severities_never_everyone() -> None:
    policy = AlertPolicy({"high": ROLE, "medium": OTHER, "low": GUILD})
    assert policy.pings(GUILD, ["high"]) == (ROLE,)
    assert policy.pings(GUILD, ["medium", "high", "medium"]) == (OTHER, ROLE)
    assert policy.pings(GUILD, ["low"]) == ()  # the @everyone role's id is the guild's
    assert AlertPolicy().pings(GUILD, ["high"]) == ()
    config = ModerationConfig(ping_roles={"high": ROLE}, quiet_mode=True, quiet_digest_minutes=2)
    assert policy_of(config) == AlertPolicy({"high": ROLE}, True, 120.0)
    with pytest.raises(ValueError):
        ModerationConfig(ping_roles={"urgent": ROLE})


async def test_cards_ping_by_severity_and_follow_ups_never(parts, snap) -> None:
    repo, publisher, make = parts
    queue = make(AlertPolicy({"high": ROLE, "medium": OTHER}), digest_threshold=2)
    ids = await _open(repo, snap, ["high", "medium", "low", "low"])
    for case_id in ids:
        queue.enqueue(case_id)
    async with asyncio.timeout(5):
        await queue.wait_idle()
    cards = dict((case_id, message_id) for message_id, case_id in publisher.cards)
    assert publisher.pings[cards[ids[0]]] == (ROLE,)  # the high case: its own card, first
    [(digest_id, digested)] = publisher.digests
    assert digested == ids[1:] and publisher.pings[digest_id] == (OTHER,)  # a medium case is in it
    assert all(publisher.pings[cards[i]] == () for i in ids[1:])  # follow-up cards of digested cases


async def test_quiet_mode_holds_cases_for_one_digest(parts, snap) -> None:
    repo, publisher, make = parts
    clock = Clock()
    queue = make(AlertPolicy({"high": ROLE}, quiet=True, quiet_seconds=60), clock=clock)
    ids = await _open(repo, snap, ["low", "high", "medium"])
    for case_id in ids:
        queue.enqueue(case_id)
    await asyncio.sleep(0.05)
    assert publisher.cards == [] and publisher.digests == []  # held
    more = await _open(repo, snap, ["low"])
    queue.enqueue(more[0])
    clock.now += 61
    queue.enqueue(ids[0])  # wakes the worker (already held: no change)
    async with asyncio.timeout(5):
        await queue.wait_idle()
    [(digest_id, listed)] = publisher.digests
    assert listed == [*ids, *more] and publisher.quiet_digests == [digest_id]
    assert publisher.pings[digest_id] == (ROLE,) and publisher.cards == []
    assert [(await repo.get(i)).digest_message_id for i in listed] == [digest_id] * len(listed)


async def test_quiet_digest_is_due_without_new_cases(parts, snap) -> None:
    repo, publisher, make = parts
    queue = make(AlertPolicy(quiet=True, quiet_seconds=0.05))
    ids = await _open(repo, snap, ["low"])
    queue.enqueue(ids[0])
    async with asyncio.timeout(5):
        await queue.wait_idle()
    assert [listed for _, listed in publisher.digests] == [ids] and publisher.pings[publisher.digests[0][0]] == ()


def test_guild_keys_for_pings_and_quiet_mode() -> None:
    key = GUILD_KEYS["moderation.ping_roles"]
    assert parse_value(key, f"high=<@&{ROLE}> medium={OTHER}") == {"high": ROLE, "medium": OTHER}
    assert parse_value(key, f"high={ROLE} high=none") == {}
    assert parse_value(key, "none") == {}
    assert format_value(key, {"high": ROLE}) == f"high=<@&{ROLE}>"
    with pytest.raises(ValueParseError, match="unknown severity"):
        parse_value(key, f"urgent={ROLE}")
    with pytest.raises(ValueParseError, match="severity=role"):
        parse_value(key, f"<@&{ROLE}>")
    assert parse_value(GUILD_KEYS["moderation.quiet_mode"], "on") is True
    assert GUILD_KEYS["moderation.automod_severity"].choices == ("low", "medium", "high")
    assert parse_value(GUILD_KEYS["moderation.quiet_digest_minutes"], "30") == 30.0
