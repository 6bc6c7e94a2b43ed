"""Crafted interactions: Discord's client enforces declared option limits, a crafted request does not. Every
out-of-range option of every synced command gets a short ephemeral answer, nothing runs, and one INFO line is
logged without the value."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from typing import Any

import pytest
from fake_discord import BotHarness, FakeDiscord
from fake_discord.interactions import InteractionRecord, Kind, build_interaction

from bot.command_tree import FAILED

STRING, INTEGER, NUMBER, USER = 3, 4, 10, 6
LIMIT_KEYS = ("min_value", "max_value", "min_length", "max_length", "choices")


async def crafted(h: BotHarness, command: str, options: Mapping[str, Any], *, user: str = "admin",
                  channel: str = "general") -> InteractionRecord:
    """Send ``/command`` with ``options`` exactly as given (no client-side checks), wait for the answer."""
    state = h.fake.state
    where, member = state.channel(channel), state.user(user)
    root, *path = command.split()
    found = state.find_command(root, 1, where.guild_id)
    assert found is not None, f"/{root} was not synced"
    data: dict[str, Any] = {"id": found["id"], "name": root, "type": 1}
    container, specs = data, found.get("options") or []
    for part in path:
        spec = next(s for s in specs if s["name"] == part)
        sub: dict[str, Any] = {"type": spec["type"], "name": part}
        container["options"] = [sub]
        container, specs = sub, spec.get("options") or []
    types = {s["name"]: s["type"] for s in specs}
    container["options"] = [{"type": types.get(name, STRING), "name": name, "value": value}
                            for name, value in options.items()]
    record = build_interaction(h.fake, type_=Kind.APPLICATION_COMMAND, data=data, user=member, channel=where)
    await h.fake.gateway.dispatch("INTERACTION_CREATE", record.payload)
    return await h.await_ack(record, 3.0, f"crafted /{command}")


def limited_options(fake: FakeDiscord) -> Iterator[tuple[str, dict[str, Any], list[dict[str, Any]]]]:
    """(command path, option spec, sibling specs) for every synced option that declares a limit."""
    def walk(prefix: str, specs: list[dict[str, Any]]) -> Iterator[tuple[str, dict[str, Any], list[dict[str, Any]]]]:
        for spec in specs:
            if spec["type"] in (1, 2):
                yield from walk(f"{prefix} {spec['name']}", spec.get("options") or [])
            elif any(key in spec for key in LIMIT_KEYS):
                yield prefix, spec, specs
    commands = list(fake.state.global_commands.values())
    for table in fake.state.guild_commands.values():
        commands += table.values()
    for command in commands:
        if command.get("type", 1) == 1:
            yield from walk(command["name"], command.get("options") or [])


def bad_values(spec: dict[str, Any]) -> list[Any]:
    """Values just outside (and far outside) what the option declares."""
    out: list[Any] = []
    if spec["type"] in (INTEGER, NUMBER):
        if "min_value" in spec:
            out += [spec["min_value"] - 1, -(2**63)]
        if "max_value" in spec:
            out += [spec["max_value"] + 1]
        out += [2**63]
    if spec["type"] == STRING:
        if "max_length" in spec:
            out.append("x" * (spec["max_length"] + 2))
        if spec.get("min_length", 0) > 0:
            out.append("")
    if spec.get("choices"):
        out.append("not-a-choice" if spec["type"] == STRING else 123456)
    return out


def good_value(spec: dict[str, Any], user_id: int = 1) -> Any:
    if spec.get("choices"):
        return spec["choices"][0]["value"]
    if spec["type"] == USER:
        return str(user_id)
    if spec["type"] in (INTEGER, NUMBER):
        return spec.get("min_value", 1)
    return "x" * max(1, spec.get("min_length", 1))


def assert_refused(record: InteractionRecord, option: str) -> None:
    answers = [r for r in record.responses if r.kind in ("callback", "followup")]
    assert len(answers) == 1 and answers[0].ephemeral, record.responses
    assert f"`{option}`" in answers[0].content and len(answers[0].content) < 200
    assert FAILED not in answers[0].content


async def test_every_declared_limit_is_checked_server_side(bot: BotHarness, fake_discord: FakeDiscord,
                                                           caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="bot.command_tree")
    found = list(limited_options(fake_discord))
    assert {(path, spec["name"]) for path, spec, _ in found} >= {
        ("case", "id"), ("modstats", "days"), ("queue", "page"), ("config set", "value"), ("summary", "length")}
    tried = 0
    for path, spec, siblings in found:
        member = fake_discord.state.user("member").id
        required = {s["name"]: good_value(s, member) for s in siblings
                    if s.get("required") and s["name"] != spec["name"]}
        for value in bad_values(spec):
            record = await crafted(bot, path, {**required, spec["name"]: value})
            assert_refused(record, spec["name"])
            tried += 1
    assert tried >= 12
    refusals = [r for r in caplog.records if r.name == "bot.command_tree"]
    assert len(refusals) == tried and all(r.levelno == logging.INFO for r in refusals)
    assert not any("xxxxxxxxxx" in r.getMessage() or str(2**63) in r.getMessage() for r in refusals)
    assert bot.bot_posts() == []


async def test_the_reported_payloads(bot: BotHarness, fake_discord: FakeDiscord) -> None:
    for days in (0, 1_000_000, 91):
        assert_refused(await crafted(bot, "modstats", {"days": days}, user="moderator"), "days")
    assert_refused(await crafted(bot, "case", {"id": 2**63}, user="moderator"), "id")
    record = await crafted(bot, "config set", {"key": "summaries.default_length", "value": "x" * 1002})
    assert_refused(record, "value")
    rows = await bot.bot.db.fetchall("SELECT * FROM guild_settings")
    assert rows == []
    # in range still works
    ok = await crafted(bot, "modstats", {"days": 90}, user="admin")
    assert ok.deferred
    await bot.wait_for(lambda: ok.followups or ok.embeds, message="the chart")
    record = await crafted(bot, "case", {"id": 2**53}, user="moderator")
    assert record.ephemeral and "There is no case" in record.content


async def test_missing_required_option_and_unknown_command(bot: BotHarness, fake_discord: FakeDiscord) -> None:
    assert_refused(await crafted(bot, "case", {}, user="moderator"), "id")
    assert_refused(await crafted(bot, "case", {"id": "7"}, user="moderator"), "id")  # a string for an integer
    record = build_interaction(bot.fake, type_=Kind.APPLICATION_COMMAND,
                               data={"id": "1", "name": "no-such-command", "type": 1, "options": []},
                               user=fake_discord.state.user("member"), channel=fake_discord.state.channel("general"))
    await fake_discord.gateway.dispatch("INTERACTION_CREATE", record.payload)
    await bot.await_ack(record, 3.0, "unknown command")
    assert record.ephemeral and "not available" in record.content


@pytest.mark.allow_errors  # the unexpected failure is logged once at ERROR, on purpose
async def test_unexpected_failure_answers_ephemerally_and_logs_once(bot: BotHarness, fake_discord: FakeDiscord,
                                                                     caplog: pytest.LogCaptureFixture,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    async def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(bot.bot.db, "schema_version", broken)
    record = await bot.slash("about", user="member")
    assert record.ephemeral and record.content == FAILED
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1 and errors[0].name == "bot.command_tree" and errors[0].exc_info


@pytest.mark.parametrize("debug_content", [False, True])
async def test_typed_option_text_follows_debug_content(make_bot: Any, fake_discord: FakeDiscord,
                                                       caplog: pytest.LogCaptureFixture, debug_content: bool) -> None:
    caplog.set_level(logging.INFO)  # in-process the payload loggers are not capped (that is setup_logging's job)
    h = await make_bot({"logging": {"debug_content": debug_content}})
    typed = "zebra-quokka-7731 secret words"
    record = await h.slash("summary", {"article": typed})
    assert record.ephemeral
    refusal = [r.getMessage() for r in caplog.records if "/summary refused" in r.getMessage()]
    assert refusal and all(r.startswith("/summary refused (ArticleNotFound)") for r in refusal)
    assert any("zebra-quokka" in r.getMessage() for r in caplog.records) is debug_content
