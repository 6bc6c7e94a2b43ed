"""AutoMod hits become cases: one case per message (posted or blocked), replays and restarts join it, the rule's
name is stored once read and a failed lookup loses nothing."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from moderation.conftest import CHANNEL, GUILD

from bot.moderation.automod import MERGE_WINDOW, AutoModHit, AutoModRepository
from bot.moderation.cards import render_card
from bot.moderation.cases import CaseRepository
from bot.moderation.models import Actor
from bot.moderation.scoring import Assessment
from bot.moderation.state import Action
from bot.timestamps import utcnow

USER = 30


def hit(action: str, *, content: str = "you badslur", message_id: int | None = None, rule_id: int = 5,
        alert: int | None = None, **extra: Any) -> AutoModHit:
    return AutoModHit(guild_id=GUILD, rule_id=rule_id, trigger_type=1, action=action, user_id=USER,
                      channel_id=CHANNEL, message_id=message_id, alert_message_id=alert, content=content,
                      matched_keyword="badslur", matched_content="badslur" if content else None, **extra)


class Rules:
    """TEST DOUBLE of the rule-name port: a name per rule id, or an exception."""

    def __init__(self, names: dict[int, str] | None = None, error: Exception | None = None) -> None:
        self.names = names or {}
        self.error = error
        self.calls = 0

    async def rule_name(self, guild_id: int, rule_id: int) -> str | None:
        self.calls += 1
        if self.error is not None:
            raise self.error
        return self.names.get(rule_id)


async def test_block_alert_timeout_are_one_case(make_service) -> None:
    rules = Rules({5: "No slurs"})
    service = await make_service(automod_rules=rules)
    first = await service.automod.handle(hit("block"))
    await service.automod.handle(hit("alert", alert=999))
    last = await service.automod.handle(hit("timeout", timeout_seconds=600))
    assert first is not None and last is not None and first.id == last.id
    assert (await service.db.fetchone("SELECT COUNT(*) FROM mod_cases"))[0] == 1
    [record] = last.automod
    assert record.actions == ("block", "alert", "timeout") and record.blocked and record.alert_message_id == 999
    assert record.rule_name == "No slurs" and record.timeout_seconds == 600 and rules.calls == 1
    assert last.message_id < 0 and last.source == "automod" and last.labels == ("automod",)
    assert last.severity == "medium" and last.message_blocked
    card = render_card(last)
    assert Action.REMOVE not in [b.action for b in card.buttons]
    outcome = await service.review.act(last.id, Actor(1), Action.REMOVE)
    assert not outcome.ok and "nothing to remove" in outcome.message


async def test_replays_join_and_a_new_case_after_the_window_or_a_decision(make_service) -> None:
    service = await make_service()
    repo = AutoModRepository(service.db, service.cases)
    now = utcnow()
    first = await repo.record(hit("block"), severity="low", now=now)
    replay = await repo.record(hit("block"), severity="low", now=now + timedelta(minutes=5))
    assert replay.case.id == first.case.id and not replay.created and not replay.changed
    late = await repo.record(hit("block"), severity="low", now=now + timedelta(minutes=5) + MERGE_WINDOW * 2)
    assert late.created and late.case.id != first.case.id and late.case.message_id == first.case.message_id - 1
    other_text = await repo.record(hit("block", content="another badslur"), severity="low", now=now)
    assert other_text.created
    await service.review.act(late.case.id, Actor(1), Action.APPROVE)
    after_decision = await repo.record(hit("block"), severity="low", now=now + timedelta(minutes=21))
    assert after_decision.created


async def test_without_content_the_rule_and_keyword_group_hits(make_service) -> None:
    service = await make_service()
    a = await service.automod.handle(hit("block", content=""))
    b = await service.automod.handle(hit("alert", content=""))
    c = await service.automod.handle(hit("block", content="", rule_id=6))
    assert a is not None and b is not None and c is not None
    assert a.id == b.id != c.id
    assert "Message Content intent" in render_card(a).description


async def test_posted_message_joins_the_listeners_case(make_service, snap) -> None:
    service = await make_service()
    message = snap("you are a BADWORD")
    opened = await service.intake.handle_message(message)
    assert opened is not None
    joined = await service.automod.handle(hit("alert", message_id=message.message_id, content=message.content))
    assert joined is not None and joined.id == opened.id and joined.source == "listener"
    assert not joined.message_blocked and joined.automod[0].actions == ("alert",)
    fields = {f.name: f.value for f in render_card(joined).fields}
    assert "rule 5 (keyword): alerted" in fields["Discord AutoMod"]


async def test_listener_verdict_after_automod_case(make_service, snap) -> None:
    service = await make_service()
    message = snap("you are a BADWORD")
    first = await service.automod.handle(hit("alert", message_id=message.message_id, content=message.content))
    assert first is not None and not first.flagged
    case = await service.review.admit(message, Assessment(True, ("inflammatory",), "high", ("r",), None, {"x": 1.0}))
    assert case.id == first.id and case.flagged and case.labels == ("automod", "inflammatory")
    assert case.severity == "high" and case.source == "automod"


async def test_rule_lookup_failure_loses_nothing_and_a_later_hit_names_it(make_service) -> None:
    rules = Rules(error=RuntimeError("HTTP 503"))
    service = await make_service(automod_rules=rules)
    case = await service.automod.handle(hit("block"))
    assert case is not None and case.automod[0].rule_name is None
    assert "rule 5 (keyword)" in {f.name: f.value for f in render_card(case).fields}["Discord AutoMod"]
    rules.error, rules.names = None, {5: "No slurs"}
    again = await service.automod.handle(hit("timeout", timeout_seconds=60))
    assert again is not None and again.id == case.id and again.automod[0].rule_name == "No slurs"


async def test_off_per_guild(make_service) -> None:
    service = await make_service(automod_cases=False)
    assert await service.automod.handle(hit("block")) is None
    assert (await service.db.fetchone("SELECT COUNT(*) FROM automod_hits"))[0] == 0


async def test_retention_purges_matched_text(make_service) -> None:
    from bot.moderation.retention import purge_closed_content

    service = await make_service()
    case = await service.automod.handle(hit("block"))
    assert case is not None
    await service.review.act(case.id, Actor(1), Action.APPROVE)
    assert await purge_closed_content(service.db, 1, now=utcnow() + timedelta(days=2)) == 1
    purged = await CaseRepository(service.db).get(case.id)
    assert purged is not None and purged.automod[0].matched_content is None and purged.content is None


async def test_simultaneous_hits_of_one_message_are_one_case(make_service) -> None:
    """Discord sends block, alert and timeout of one message at once; on PostgreSQL they arrive on parallel
    connections: still one case with one hit row holding every action."""
    import asyncio

    service = await make_service(automod_rules=Rules({5: "No slurs"}))
    blocked = await asyncio.gather(*(service.automod.handle(hit(a)) for a in ("block", "alert", "timeout")))
    posted = await asyncio.gather(*(service.automod.handle(hit(a, message_id=77)) for a in ("alert", "timeout")))
    assert len({case.id for case in blocked if case}) == 1 and len({case.id for case in posted if case}) == 1
    assert (await service.db.fetchone("SELECT COUNT(*) FROM mod_cases"))[0] == 2
    actions = [r[0] for r in await service.db.fetchall("SELECT actions_json FROM automod_hits ORDER BY id")]
    assert [sorted(json.loads(a)) for a in actions] == [["alert", "block", "timeout"], ["alert", "timeout"]]
