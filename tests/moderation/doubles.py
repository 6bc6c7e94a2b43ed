"""TEST DOUBLES for the moderation tests: a deterministic marker-word scorer and helpers to start a review bot.

``MarkerScorer`` is not a model: it flags any text containing the marker word ("BADWORD" by default), so tests
know exactly which messages become cases. It is a :class:`bot.moderation.scoring.MessageScorer`, passed as
``ModBot(settings, scorer=...)`` or ``ModerationService(db, config, scorer)``: where the real analyzer's
``AnalyzerScorer`` goes.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from bot.analysis.config import PolicyConfig
from bot.moderation.config import ModerationConfig
from bot.moderation.scoring import Assessment

MARKER = "BADWORD"
REVIEW_COGS = ["cogs.about", "cogs.listener", "cogs.review_queue", "cogs.queue_commands", "cogs.reports",
               "cogs.strikes"]


class MarkerScorer:
    """TEST DOUBLE: flags texts containing ``marker``; "SEVERE" in the text makes the severity "high"."""

    def __init__(self, marker: str = MARKER, *, delay: float = 0.0) -> None:
        self.marker = marker
        self.delay = delay
        self.calls: list[list[str]] = []
        self.contexts: list[object] = []  # what each scored text answered (None: no context)

    async def analyze(self, texts: list[str], *, policy: PolicyConfig | None = None,
                      contexts: Sequence[object] | None = None) -> list[Assessment]:
        self.calls.append(list(texts))
        self.contexts.extend(contexts if contexts is not None else [None] * len(texts))
        if self.delay:
            await asyncio.sleep(self.delay)
        out = []
        for text in texts:
            if self.marker.lower() in text.lower():
                sentence = next((s for s in text.split(". ") if self.marker.lower() in s.lower()), text)
                out.append(Assessment(
                    True, ("inflammatory",), "high" if "SEVERE" in text else "medium",
                    (f"contains the test marker {self.marker}",), sentence.strip(),
                    {"toxicity": 0.91, "inflammatory": 0.8},
                ))
            else:
                out.append(Assessment(False, scores={"toxicity": 0.02}))
        return out


def core_config(**values: Any) -> ModerationConfig:
    """``[moderation]`` for the core tests: cards in channel 7, mod log in 8, no digests, no pacing."""
    return ModerationConfig(**{"mod_channel_id": 7, "mod_log_channel_id": 8, "digest_threshold": 0,
                               "cards_per_minute": 0, "card_retry_seconds": 0.01, **values})


def review_overrides(fake: Any, extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Moderation settings pointing at the fake world's #mod-queue / #mod-log, digests off by default."""
    moderation = {
        "mod_channel_id": fake.state.channel("mod-queue").id,
        "mod_log_channel_id": fake.state.channel("mod-log").id,
        "digest_threshold": 0,
        "cards_per_minute": 0,
        "card_retry_seconds": 0.2,
        **dict((extra or {}).get("moderation", {})),
    }
    merged = {k: v for k, v in (extra or {}).items() if k != "moderation"}
    return {**merged, "moderation": moderation}


async def start_review_bot(
    make_client: Callable[..., Awaitable[Any]],
    fake: Any,
    tmp_path: Path,
    *,
    scorer: MarkerScorer | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Any:
    """Start ModBot with the moderation cogs, ``scorer`` and preset core services (a DB shared across restarts).

    The returned harness has ``.db`` (the open Database), ``.scorer`` and ``.settings``; ``restart()`` keeps both.
    The caller closes ``harness.db`` (the ``review`` fixtures do).
    """
    from bot.app import ModBot
    from bot.services import Services
    from bot.settings import load_settings
    from bot.storage import Database

    base = {"discord": {"token": fake.token, "guild_ready_timeout": 0.05, "cogs": REVIEW_COGS},
            "storage": {"path": str(tmp_path / "modbot.sqlite3")}}
    merged = review_overrides(fake, overrides)
    for section, values in base.items():
        merged[section] = {**values, **merged.get(section, {})}
    settings = load_settings(None, env_file=None, overrides=merged, environ={})
    db = await Database.open(settings.storage.path)
    scorer = scorer or MarkerScorer()
    services = Services.core(settings, db)
    harness = await make_client(lambda: ModBot(settings, services=services, scorer=scorer))
    harness.db, harness.scorer, harness.settings = db, scorer, settings
    return harness


@pytest.fixture
async def review(make_client: Callable[..., Awaitable[Any]], fake_discord: Any,
                 tmp_path: Path) -> AsyncIterator[Callable[..., Awaitable[Any]]]:
    """``await review(scorer=..., overrides=...)`` starts a review bot; stopped and its DB closed at teardown."""
    started: list[Any] = []

    async def factory(**kwargs: Any) -> Any:
        harness = await start_review_bot(make_client, fake, tmp_path, **kwargs)
        started.append(harness)
        return harness

    fake = fake_discord
    yield factory
    for harness in started:
        await harness.stop()
        await harness.db.close()


def cards(harness: Any, channel: str = "mod-queue") -> list[Any]:
    """Case cards (bot messages with an embed) posted in the mod channel, oldest first."""
    return [m for m in harness.bot_posts(channel) if m.embeds]


def card_for(harness: Any, case_id: int) -> Any:
    """The live card message of a case (by its footer)."""
    found = [m for m in cards(harness) if f"Case #{case_id} " in (m.embeds[0].get("footer") or {}).get("text", "")]
    assert len(found) == 1, f"expected one card for case #{case_id}, found {len(found)}"
    return harness.state.message(found[0].id)


async def case_row(harness: Any, message_id: int) -> Any:
    """The stored case of a message (or None)."""
    return await harness.db.fetchone("SELECT * FROM mod_cases WHERE message_id = ?", (message_id,))


async def flag_and_wait(harness: Any, text: str | None = None, *, channel: str = "general",
                        author: str = "member") -> tuple[int, Any, Any]:
    """Post a flaggable message and wait for its case and card: returns (message id, case row, card message)."""
    message_id = await harness.post_message(channel, text or f"You are a {MARKER} person.", author=author)

    async def ready() -> Any:
        row = await case_row(harness, message_id)
        return row if row is not None and row["card_message_id"] is not None else None

    row = await harness.wait_for(ready, message="the case card")
    return message_id, row, harness.state.message(row["card_message_id"])


class FakePublisher:
    """TEST DOUBLE of the card publisher: records posts; ``fail`` makes the next N posts raise."""

    def __init__(self) -> None:
        self.cards: list[tuple[int, int]] = []  # (message id, case id)
        self.digests: list[tuple[int, list[int]]] = []
        self.refreshed: list[int] = []
        self.mod_log: list[str] = []
        self.history: list[Any] = []
        self.contents: dict[int, Any] = {}  # case id -> the CardContent last shown
        self.pings: dict[int, tuple[int, ...]] = {}  # message id -> role ids it mentioned
        self.quiet_digests: list[int] = []  # message ids of quiet-mode digests (also in ``digests``)
        self.fail = 0
        self._next = 1000

    def _id(self) -> int:
        self._next += 1
        return self._next

    async def post_card(self, channel_id: int, case: Any, content: Any = None, *, mention_roles: Any = ()) -> int:
        if self.fail:
            self.fail -= 1
            raise RuntimeError("simulated HTTP 500")
        message_id = self._id()
        self.cards.append((message_id, case.id))
        self.pings[message_id] = tuple(mention_roles)
        return message_id

    async def post_digest(self, channel_id: int, case_ids: Any, *, mention_roles: Any = ()) -> int:
        if self.fail:
            self.fail -= 1
            raise RuntimeError("simulated HTTP 500")
        message_id = self._id()
        self.digests.append((message_id, list(case_ids)))
        self.pings[message_id] = tuple(mention_roles)
        return message_id

    async def post_quiet_digest(self, channel_id: int, cases: Any, *, mention_roles: Any = ()) -> int:
        message_id = await self.post_digest(channel_id, [case.id for case in cases], mention_roles=mention_roles)
        self.quiet_digests.append(message_id)
        return message_id

    async def refresh_card(self, case: Any, content: Any = None) -> None:
        self.refreshed.append(case.id)
        self.contents[case.id] = content

    async def post_mod_log(self, text: str, channel_id: int | None = None) -> None:
        self.mod_log.append(text)

    async def recent_posts(self, channel_id: int, since: Any, limit: int) -> list[Any]:
        return list(self.history)


class FakeExecutor:
    """TEST DOUBLE of the Discord action executor: records actions; ``missing``/``errors`` simulate refusals."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, int, Any]] = []
        self.missing: dict[str, list[str]] = {}
        self.errors: dict[str, Exception] = {}
        self.delay = 0.0
        self.notices: list[tuple[int, str, bool]] = []  # (case id, notice kind, with the Appeal button)
        self.staff: set[int] = set()  # author ids is_staff answers True for

    async def missing_permissions(self, case: Any, action: Any) -> list[str]:
        return list(self.missing.get(action.value, []))

    async def _do(self, name: str, case: Any, arg: Any) -> None:
        if self.delay:
            await asyncio.sleep(self.delay)
        if name in self.errors:
            raise self.errors[name]
        self.calls.append((name, case.id, arg))

    async def delete_message(self, case: Any, reason: str | None) -> None:
        await self._do("delete", case, reason)

    async def timeout_member(self, case: Any, minutes: int, reason: str | None) -> None:
        await self._do("timeout", case, minutes)

    async def warn_member(self, case: Any, reason: str, *, appeal: bool = False) -> None:
        await self._do("warn", case, reason)
        self.notices.append((case.id, "warn", appeal))

    async def send_notice(self, case: Any, notice: Any) -> None:
        if "notice" in self.errors:
            raise self.errors["notice"]
        self.notices.append((case.id, notice.kind.value, notice.appeal))

    async def lift_timeout(self, case: Any, reason: str | None) -> None:
        await self._do("lift_timeout", case, reason)

    async def is_staff(self, case: Any, moderator_role_id: int | None) -> bool | None:
        return case.author_id in self.staff
