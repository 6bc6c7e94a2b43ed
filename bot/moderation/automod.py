"""Discord AutoMod in the review queue: AUTO_MODERATION_ACTION_EXECUTION events become cases (source ``automod``).

Discord sends one event per *action* of a rule: a message that a rule blocks, alerts about and times out arrives
as three events, and only the alert one carries the alert message id. They become **one** case:

- the message was posted (a rule that only alerts or times out): the case of that message id, the same unique key
  as every case, so it also joins a case modbot opened for the message itself;
- the message was blocked (no message id): the open AutoMod case of the same member, channel and text (the text's
  hash; the rule and matched keyword when the bot cannot read the text) whose last hit is at most
  :data:`MERGE_WINDOW` old. A replayed event, or one handled after a restart, finds the same case in the database.

Lookup and insert run in one transaction, so events handled at once cannot open two cases. The case is stored
before anything else (nothing is lost); then the rule's name is looked up (stored names first, then the
:class:`AutoModRules` port, whose failure only leaves the name out), then the card is queued. Each rule's hit is
one row of ``automod_hits`` (actions seen, matched keyword and text), read with the case
(:attr:`bot.moderation.models.Case.automod`) and shown on its card.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from bot.moderation.cases import CaseRepository
from bot.moderation.models import Case
from bot.moderation.per_guild import PerGuild
from bot.moderation.review import Review
from bot.storage import Database, Transaction
from bot.timestamps import to_iso, utcnow

log = logging.getLogger(__name__)

SOURCE = "automod"
LABEL = "automod"
MERGE_WINDOW = timedelta(minutes=10)
ACTION_ORDER = ("block", "alert", "timeout", "block_interactions")


@dataclass(frozen=True)
class AutoModHit:
    """One AutoMod action execution, in the core's terms (built by ``discord_edge/automod.py``)."""

    guild_id: int
    rule_id: int
    trigger_type: int
    action: str  # one of ACTION_ORDER
    user_id: int
    channel_id: int | None = None
    message_id: int | None = None  # absent when the message was blocked (or was no message: a member profile)
    alert_message_id: int | None = None  # only on the "alert" action's event
    content: str = ""  # empty without the message content intent
    matched_keyword: str | None = None
    matched_content: str | None = None
    timeout_seconds: int | None = None
    author_name: str = ""

    @property
    def blocked(self) -> bool:
        """No message exists for this hit (AutoMod blocked it, or the content was a member profile)."""
        return self.message_id is None

    @property
    def content_key(self) -> str:
        """What identifies the blocked text: its hash, else (no content intent) the rule and keyword."""
        if self.content:
            return "sha256:" + hashlib.sha256(self.content.encode("utf-8", "replace")).hexdigest()[:32]
        return f"rule:{self.rule_id}:{(self.matched_keyword or '').lower()[:100]}"


@dataclass(frozen=True)
class Recorded:
    """The case a hit belongs to: ``created`` when this hit opened it, ``changed`` when the hit added anything."""

    case: Case
    created: bool
    changed: bool


class AutoModRules(Protocol):
    """Looks up AutoMod rule names on Discord (``discord_edge/automod.py``)."""

    async def rule_name(self, guild_id: int, rule_id: int) -> str | None:
        """The rule's name, or None when it cannot be read (no Manage Server, deleted rule, an outage)."""
        ...


def _merged_actions(stored: list[str], action: str) -> list[str]:
    return stored if action in stored else [*stored, action]


class AutoModRepository:
    """``automod_hits`` and the cases they belong to."""

    def __init__(self, db: Database, cases: CaseRepository) -> None:
        self._db = db
        self._cases = cases

    async def record(self, hit: AutoModHit, *, severity: str, now: datetime | None = None) -> Recorded:
        """Store the hit on its case, opening the case when there is none (one transaction)."""
        when = now or utcnow()
        async with self._db.transaction() as tx:
            if serialize := self._db.dialect.serialize_sql():  # PostgreSQL: two hits of one message at once
                await tx.fetchall(serialize, (hit.guild_id,))
            case_id = await self._find_case(tx, hit, when)
            created = case_id is None
            if case_id is None:
                case_id = await self._open_case(tx, hit, severity, when)
            changed = await self._upsert_hit(tx, case_id, hit, when)
        case = await self._cases.get(case_id)
        assert case is not None
        return Recorded(case, created, changed or created)

    async def _find_case(self, tx: Transaction, hit: AutoModHit, when: datetime) -> int | None:
        if hit.message_id is not None:
            rows = await tx.fetchall("SELECT id FROM mod_cases WHERE message_id = ?", (hit.message_id,))
        else:
            rows = await tx.fetchall(
                "SELECT h.case_id FROM automod_hits h JOIN mod_cases c ON c.id = h.case_id "
                "WHERE h.guild_id = ? AND h.user_id = ? AND h.channel_id = ? AND h.content_key = ? AND h.blocked = 1 "
                "AND h.last_at >= ? AND c.state IN ('pending', 'escalated') ORDER BY h.last_at DESC LIMIT 1",
                (hit.guild_id, hit.user_id, hit.channel_id or 0, hit.content_key, to_iso(when - MERGE_WINDOW)),
            )
        return int(rows[0][0]) if rows else None

    async def _open_case(self, tx: Transaction, hit: AutoModHit, severity: str, when: datetime) -> int:
        """A new case; a blocked message gets a negative placeholder message id (real ids are positive)."""
        stamp = to_iso(when)
        channel_id = hit.channel_id or 0
        jump = "" if hit.blocked else f"https://discord.com/channels/{hit.guild_id}/{channel_id}/{hit.message_id}"
        message_id: Any = hit.message_id
        if message_id is None:
            rows = await tx.fetchall("SELECT COALESCE(MIN(message_id), 0) - 1 FROM mod_cases WHERE message_id < 0")
            message_id = int(rows[0][0])
        row = await tx.fetchone(
            "INSERT INTO mod_cases (guild_id, channel_id, message_id, author_id, author_name, jump_url, content, "
            "evidence, source, severity, labels_json, message_deleted, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            (hit.guild_id, channel_id, message_id, hit.user_id, hit.author_name, jump, hit.content,
             hit.matched_content or None, SOURCE, severity, json.dumps([LABEL]), int(hit.blocked), stamp, stamp),
        )
        assert row is not None
        return int(row[0])

    async def _upsert_hit(self, tx: Transaction, case_id: int, hit: AutoModHit, when: datetime) -> bool:
        stamp = to_iso(when)
        rows = await tx.fetchall(
            "SELECT actions_json, alert_message_id, timeout_seconds FROM automod_hits WHERE case_id = ? "
            "AND rule_id = ?", (case_id, hit.rule_id))
        if not rows:
            await tx.execute(
                "INSERT INTO automod_hits (case_id, guild_id, rule_id, trigger_type, user_id, channel_id, message_id, "
                "content_key, blocked, actions_json, timeout_seconds, alert_message_id, matched_keyword, "
                "matched_content, first_at, last_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (case_id, hit.guild_id, hit.rule_id, hit.trigger_type, hit.user_id, hit.channel_id or 0,
                 hit.message_id, hit.content_key, int(hit.blocked), json.dumps([hit.action]), hit.timeout_seconds,
                 hit.alert_message_id, hit.matched_keyword, hit.matched_content or None, stamp, stamp),
            )
            return True
        actions = json.loads(rows[0][0] or "[]")
        merged = _merged_actions(actions, hit.action)
        alert = rows[0][1] or hit.alert_message_id
        timeout = rows[0][2] or hit.timeout_seconds
        changed = bool(merged != actions or alert != rows[0][1] or timeout != rows[0][2])
        await tx.execute(
            "UPDATE automod_hits SET actions_json = ?, alert_message_id = ?, timeout_seconds = ?, last_at = ?, "
            "matched_keyword = COALESCE(matched_keyword, ?), matched_content = COALESCE(matched_content, ?) "
            "WHERE case_id = ? AND rule_id = ?",
            (json.dumps(merged), alert, timeout, stamp, hit.matched_keyword, hit.matched_content or None,
             case_id, hit.rule_id),
        )
        return changed

    async def stored_rule_name(self, guild_id: int, rule_id: int) -> str | None:
        """A name looked up before (it survives restarts)."""
        row = await self._db.fetchone(
            "SELECT rule_name FROM automod_hits WHERE guild_id = ? AND rule_id = ? AND rule_name IS NOT NULL "
            "ORDER BY id DESC LIMIT 1", (guild_id, rule_id))
        return str(row[0]) if row else None

    async def set_rule_name(self, guild_id: int, rule_id: int, name: str) -> list[int]:
        """Name the rule on every hit still without it; returns the case ids whose card shows it now."""
        rows = await self._db.returning(
            "UPDATE automod_hits SET rule_name = ? WHERE guild_id = ? AND rule_id = ? AND rule_name IS NULL "
            "RETURNING case_id", (name, guild_id, rule_id))
        return sorted({int(row[0]) for row in rows})


class AutoModIntake:
    """Turns AutoMod hits into cases: store, name the rule, announce (new case) or refresh the card."""

    def __init__(self, repo: AutoModRepository, cases: CaseRepository, review: Review, per_guild: PerGuild,
                 rules: AutoModRules | None = None) -> None:
        self._repo = repo
        self._cases = cases
        self._review = review
        self._per_guild = per_guild
        self._rules = rules

    def enabled_in(self, guild_id: int) -> bool:
        """``moderation.enabled`` and ``moderation.automod_cases`` in this guild."""
        config = self._per_guild.config_for(guild_id)
        return config.enabled and config.automod_cases

    async def handle(self, hit: AutoModHit) -> Case | None:
        """One action execution: the case it belongs to (None when AutoMod cases are off in the guild)."""
        if not self.enabled_in(hit.guild_id):
            return None
        severity = self._per_guild.config_for(hit.guild_id).automod_severity
        recorded = await self._repo.record(hit, severity=severity)
        named = await self._name_rule(hit)
        case = recorded.case
        if recorded.created:
            return await self._review.announce_opened(case, auto_action=False)
        if recorded.changed or case.id in named:
            case = await self._cases.get(case.id) or case
            await self._review.refresh_card(case)
        for other in named:
            if other != case.id and (found := await self._cases.get(other)) is not None:
                await self._review.refresh_card(found)
        return case

    async def _name_rule(self, hit: AutoModHit) -> list[int]:
        """Store the rule's name on its hits (a failed lookup leaves it out; a later hit tries again)."""
        name = await self._repo.stored_rule_name(hit.guild_id, hit.rule_id)
        if name is None and self._rules is not None:
            try:
                name = await self._rules.rule_name(hit.guild_id, hit.rule_id)
            except Exception as exc:
                log.warning("could not read the name of AutoMod rule %s: %s", hit.rule_id, exc)
        if not name:
            return []
        return await self._repo.set_rule_name(hit.guild_id, hit.rule_id, name[:100])
