"""discord_edge.interactions: one ephemeral-reply rule and one role-id reader for cogs and components."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import discord
import pytest

from discord_edge.interactions import reply_ephemeral, role_ids


@dataclass
class _Response:
    done: bool
    sent: list[tuple[str, bool]] = field(default_factory=list)

    def is_done(self) -> bool:
        return self.done

    async def send_message(self, text: str, *, ephemeral: bool = False) -> None:
        self.sent.append((text, ephemeral))


@dataclass
class _Followup:
    sent: list[tuple[str, bool]] = field(default_factory=list)

    async def send(self, text: str, *, ephemeral: bool = False) -> None:
        self.sent.append((text, ephemeral))


class _Interaction:
    def __init__(self, *, done: bool, delete_fails: bool = False) -> None:
        self.response = _Response(done)
        self.followup = _Followup()
        self.deleted = 0
        self._delete_fails = delete_fails

    async def delete_original_response(self) -> None:
        self.deleted += 1
        if self._delete_fails:
            raise discord.NotFound(_FakeHTTP(), "gone")


class _FakeHTTP:
    status = 404
    reason = "Not Found"


def _as_interaction(fake: _Interaction) -> Any:
    return fake


async def test_first_answer_is_the_ephemeral_response() -> None:
    fake = _Interaction(done=False)
    await reply_ephemeral(_as_interaction(fake), "hi", replace_public_thinking=True)
    assert fake.response.sent == [("hi", True)] and fake.followup.sent == [] and fake.deleted == 0


async def test_after_a_response_it_follows_up_ephemerally() -> None:
    fake = _Interaction(done=True)
    await reply_ephemeral(_as_interaction(fake), "later")
    assert fake.followup.sent == [("later", True)] and fake.deleted == 0


@pytest.mark.parametrize("delete_fails", [False, True])
async def test_public_thinking_is_removed_first(delete_fails: bool) -> None:
    fake = _Interaction(done=True, delete_fails=delete_fails)
    await reply_ephemeral(_as_interaction(fake), "private", replace_public_thinking=True)
    assert fake.deleted == 1 and fake.followup.sent == [("private", True)]


def test_role_ids_reads_the_public_roles() -> None:
    class _Role:
        def __init__(self, role_id: int) -> None:
            self.id = role_id

    class _Member:
        roles = [_Role(1), _Role(7)]

    assert role_ids(_Member()) == [1, 7]  # type: ignore[arg-type]
