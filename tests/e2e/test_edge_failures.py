"""The Discord edge answers every failed interaction the same way: components and dialogs, whose errors discord.py
does not route to the command tree, are answered ephemerally and logged once, like a failed slash command."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from moderation.doubles import case_row, flag_and_wait
from moderation.doubles import review as review  # noqa: F401  (fixture)

from bot.command_tree import FAILED
from bot.moderation.access import REFUSAL


def _errors(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno >= logging.ERROR]


async def _broken(*args: Any, **kwargs: Any) -> None:
    raise RuntimeError("boom")


@pytest.mark.allow_errors  # the unexpected failure is logged once at ERROR, on purpose
async def test_failing_button_callback_is_answered_ephemerally_and_logged_once(
        review: Any, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch) -> None:
    h = await review()
    mid, row, card = await flag_and_wait(h)
    await h.quiet()
    monkeypatch.setattr(h.bot.moderation.review, "act", _broken)
    record = await h.click(card.id, "Approve", user="moderator")
    answer = await h.wait_for(lambda: next((m for m in record.followups if m.content == FAILED), None),
                              message="the failure answer")
    assert answer.ephemeral
    await h.quiet()
    errors = _errors(caplog)
    assert len(errors) == 1 and errors[0].name == "bot.command_tree" and errors[0].exc_info
    assert "Ignoring exception" not in errors[0].getMessage()
    assert (await case_row(h, mid))["state"] == "pending"


@pytest.mark.allow_errors  # the unexpected failure is logged once at ERROR, on purpose
async def test_failing_warn_dialog_is_answered_ephemerally_and_logged_once(
        review: Any, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch) -> None:
    h = await review()
    mid, row, card = await flag_and_wait(h)
    await h.quiet()
    opener = await h.click(card.id, "Warn", user="moderator")
    assert opener.modal is not None
    monkeypatch.setattr(h.bot.moderation.review, "act", _broken)
    submitted = await h.submit_modal(opener, {"reason": "please stop"})
    answer = await h.wait_for(lambda: next((m for m in submitted.followups if m.content == FAILED), None),
                              message="the failure answer")
    assert answer.ephemeral
    await h.quiet()
    errors = _errors(caplog)
    assert len(errors) == 1 and errors[0].name == "bot.command_tree" and errors[0].exc_info


async def test_moderator_only_command_refusal_is_answered_by_the_tree(
        review: Any, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="bot.command_tree")
    h = await review()
    for command in ("queue", "history"):
        options = {"member": h.state.user("member").id} if command == "history" else None
        record = await h.slash(command, options, user="member")
        assert record.ephemeral and record.text() == REFUSAL, command
    refusals = [r.getMessage() for r in caplog.records if r.name == "bot.command_tree"]
    assert len(refusals) == 2 and all(m.startswith("refused /") and m.endswith("Refused") for m in refusals)
