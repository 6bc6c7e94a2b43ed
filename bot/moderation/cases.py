"""The cases repository: one case per message (UNIQUE + ON CONFLICT), atomic decisions, queue queries."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.moderation.custom_ids import id_in_range
from bot.moderation.models import Case, MessageSnapshot
from bot.moderation.scoring import Assessment
from bot.moderation.state import Action, CaseState
from bot.storage import Database, Transaction
from bot.storage.dialect import Dialect
from bot.timestamps import to_iso, utcnow

_AUTOMOD_FIELDS = ("rule_id", "rule_name", "trigger_type", "actions", "blocked", "matched_keyword", "matched_content",
                   "timeout_seconds", "alert_message_id")


def case_select(dialect: Dialect) -> str:
    """The case, its report count and what Discord AutoMod did about it (``automod_json``: one object per rule)."""
    fields = [(name, dialect.json_value("h.actions_json") if name == "actions" else f"h.{name}")
              for name in _AUTOMOD_FIELDS]
    return (
        "SELECT c.*, (SELECT COUNT(*) FROM mod_reports r WHERE r.case_id = c.id) AS report_count, "  # noqa: S608
        f"(SELECT {dialect.json_array_of_objects(fields, 'h.id')} "
        "FROM (SELECT * FROM automod_hits WHERE case_id = c.id ORDER BY id) h) AS automod_json "
        "FROM mod_cases c"
    )

_OPEN_SQL = "('pending', 'escalated')"
STALE_LOCK = timedelta(minutes=2)
_LOCK_SET = "UPDATE mod_cases SET lock_actor_id = ?, lock_action = ?, lock_at = ?, updated_at = ? WHERE id = ? "
_LOCK_OPEN = _LOCK_SET + "AND state IN ('pending', 'escalated') AND (lock_actor_id IS NULL OR lock_at < ?)"
_LOCK_ESCALATE = _LOCK_SET + "AND state = 'pending' AND (lock_actor_id IS NULL OR lock_at < ?)"


@dataclass(frozen=True)
class LockResult:
    """Outcome of trying to take the decision lock: ``case`` is the case as it is now."""

    acquired: bool
    case: Case | None


def _verdict_columns(assessment: Assessment) -> dict[str, object]:
    return {
        "flagged": int(assessment.flagged),
        "severity": assessment.severity,
        "labels_json": json.dumps(list(assessment.labels)),
        "reasons_json": json.dumps(list(assessment.reasons)),
        "scores_json": json.dumps(assessment.scores, sort_keys=True),
        "evidence": assessment.evidence or None,
    }


def queue_filter(dialect: Dialect, first: str, guild_id: int, label: str | None,
                 channel_id: int | None) -> tuple[str, list[object]]:
    """A ``/queue`` WHERE clause over ``mod_cases c``: ``first`` (with one ``?`` for the guild), then the label and
    channel filters; returns the clause and its parameters."""
    where = [first]
    params: list[object] = [guild_id]
    if label:
        labels = dialect.json_rows("c.labels_json", "j")
        where.append(f"EXISTS (SELECT 1 FROM {labels} WHERE lower(j.value) = lower(?))")  # noqa: S608
        params.append(label)
    if channel_id:
        where.append("c.channel_id = ?")
        params.append(channel_id)
    return " AND ".join(where), params


class CaseRepository:
    """Reads and writes ``mod_cases``. Every state change is a conditional UPDATE so races resolve in SQLite."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._select = case_select(db.dialect)

    async def open(
        self, message: MessageSnapshot, assessment: Assessment, *, source: str = "listener", now: datetime | None = None
    ) -> tuple[Case, bool]:
        """Insert a case for ``message`` unless one exists; returns ``(case, created)``."""
        stamp = to_iso(now or utcnow())
        verdict = _verdict_columns(assessment)
        reply = message.reply_to
        async with self._db.transaction() as tx:
            row = await tx.fetchone(
                "INSERT INTO mod_cases (guild_id, channel_id, message_id, author_id, author_name, jump_url, content, "
                "source, created_at, updated_at, flagged, severity, labels_json, reasons_json, scores_json, evidence, "
                "reply_to_message_id, reply_to_author_id, reply_to_author_name, reply_to_content, article_title) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT(message_id) DO NOTHING RETURNING id",
                (
                    message.guild_id, message.channel_id, message.message_id, message.author_id, message.author_name,
                    message.jump_url, message.content, source, stamp, stamp, verdict["flagged"], verdict["severity"],
                    verdict["labels_json"], verdict["reasons_json"], verdict["scores_json"], verdict["evidence"],
                    reply.message_id if reply else None, reply.author_id if reply else None,
                    reply.author_name if reply else None, reply.content if reply else None, message.article_title,
                ),
            )
        case = await self.get_by_message(message.message_id)
        assert case is not None
        return case, row is not None

    async def get(self, case_id: int) -> Case | None:
        """The case with this id (None for an id no case can have: ids come from custom_ids clients can forge)."""
        if not id_in_range(case_id):
            return None
        row = await self._db.fetchone(f"{self._select} WHERE c.id = ?", (case_id,))
        return Case.from_row(row) if row else None

    async def get_in(self, case_id: int, guild_id: int | None) -> Case | None:
        """The case with this id if it belongs to ``guild_id`` (None: any guild). Ids are not secrets, cases are:
        another guild's case is answered as if there were none."""
        case = await self.get(case_id)
        return case if case is not None and (guild_id is None or case.guild_id == guild_id) else None

    async def get_by_message(self, message_id: int) -> Case | None:
        """The case for this Discord message."""
        row = await self._db.fetchone(f"{self._select} WHERE c.message_id = ?", (message_id,))
        return Case.from_row(row) if row else None

    async def update_snapshot(
        self, message_id: int, content: str, assessment: Assessment, *, now: datetime | None = None
    ) -> Case | None:
        """Store an edited message's text and new verdict. An approved case whose edit is flagged re-opens."""
        cols = _verdict_columns(assessment)
        stamp = to_iso(now or utcnow())
        await self._db.execute(
            "UPDATE mod_cases SET content = ?, evidence = ?, flagged = ?, severity = ?, labels_json = ?, "
            "reasons_json = ?, scores_json = ?, edit_count = edit_count + 1, updated_at = ?, "
            "state = CASE WHEN state = 'approved' AND ? = 1 THEN 'pending' ELSE state END, "
            "note = CASE WHEN state = 'approved' AND ? = 1 THEN 'Re-opened: edited after approval' ELSE note END "
            "WHERE message_id = ? AND (content IS DISTINCT FROM ? OR flagged != ?)",
            (
                content, cols["evidence"], cols["flagged"], cols["severity"], cols["labels_json"],
                cols["reasons_json"], cols["scores_json"], stamp, cols["flagged"], cols["flagged"],
                message_id, content, cols["flagged"],
            ),
        )
        return await self.get_by_message(message_id)

    async def add_verdict(self, case: Case, assessment: Assessment) -> Case:
        """modbot flags a message a Discord AutoMod case already stands for: add its labels, reasons and scores
        (the higher severity wins)."""
        cols = _verdict_columns(assessment)
        labels = list(dict.fromkeys([*case.labels, *assessment.labels]))
        ranks = {"": 0, "low": 1, "medium": 2, "high": 3}
        severity = max(case.severity, assessment.severity, key=lambda s: ranks.get(s, 0))
        await self._db.execute(
            "UPDATE mod_cases SET flagged = 1, severity = ?, labels_json = ?, reasons_json = ?, scores_json = ?, "
            "evidence = COALESCE(?, evidence), updated_at = ? WHERE id = ?",
            (severity, json.dumps(labels), cols["reasons_json"], cols["scores_json"], cols["evidence"],
             to_iso(utcnow()), case.id),
        )
        return await self.get(case.id) or case

    async def mark_deleted(self, message_id: int, *, now: datetime | None = None) -> Case | None:
        """Record that the message is gone (deleted by its author or someone else)."""
        changed = await self._db.execute(
            "UPDATE mod_cases SET message_deleted = 1, updated_at = ? WHERE message_id = ? AND message_deleted = 0",
            (to_iso(now or utcnow()), message_id),
        )
        return await self.get_by_message(message_id) if changed else None

    async def try_lock(
        self, case_id: int, actor_id: int, action: Action, *, now: datetime | None = None
    ) -> LockResult:
        """Atomically reserve an open case for ``action`` by ``actor_id`` (first one wins)."""
        when = now or utcnow()
        sql = _LOCK_ESCALATE if action is Action.ESCALATE else _LOCK_OPEN
        changed = await self._db.execute(
            sql,
            (actor_id, action.value, to_iso(when), to_iso(when), case_id, to_iso(when - STALE_LOCK)),
        )
        return LockResult(acquired=changed == 1, case=await self.get(case_id))

    async def finish(
        self,
        case_id: int,
        actor_id: int,
        action: Action,
        state: CaseState,
        *,
        reason: str | None = None,
        note: str | None = None,
        now: datetime | None = None,
        along: Callable[[Transaction], Awaitable[None]] | None = None,
    ) -> Case | None:
        """Apply a locked decision: set the state, who and when, and release the lock. ``along`` runs in the same
        transaction when the decision was applied (the strike it gives: one per case, even across a crash)."""
        stamp = to_iso(now or utcnow())
        async with self._db.transaction() as tx:
            changed = await tx.execute(
                "UPDATE mod_cases SET state = ?, decided_by = ?, decided_at = ?, decision_reason = ?, note = ?, "
                "lock_actor_id = NULL, lock_action = NULL, lock_at = NULL, updated_at = ? "
                "WHERE id = ? AND lock_actor_id = ? AND lock_action = ?",
                (state.value, actor_id, stamp, reason, note, stamp, case_id, actor_id, action.value),
            )
            if changed and along is not None:
                await along(tx)
        return await self.get(case_id) if changed else None

    async def release(self, case_id: int, actor_id: int, *, note: str | None = None) -> Case | None:
        """Give the lock back (the action failed); the case stays open, ``note`` says why."""
        await self._db.execute(
            "UPDATE mod_cases SET lock_actor_id = NULL, lock_action = NULL, lock_at = NULL, note = ?, "
            "updated_at = ? WHERE id = ? AND lock_actor_id = ?",
            (note, to_iso(utcnow()), case_id, actor_id),
        )
        return await self.get(case_id)

    async def release_all_locks(self) -> int:
        """At start nothing is in flight: free every decision lock left by a crash."""
        return await self._db.execute(
            "UPDATE mod_cases SET lock_actor_id = NULL, lock_action = NULL, lock_at = NULL "
            "WHERE lock_actor_id IS NOT NULL"
        )

    async def claim(self, case_id: int, actor_id: int, *, now: datetime | None = None) -> LockResult:
        """Mark an open, unclaimed case as handled by ``actor_id`` (first one wins)."""
        stamp = to_iso(now or utcnow())
        changed = await self._db.execute(
            "UPDATE mod_cases SET claimed_by = ?, claimed_at = ?, updated_at = ? "
            "WHERE id = ? AND state IN ('pending', 'escalated') AND claimed_by IS NULL",
            (actor_id, stamp, stamp, case_id),
        )
        return LockResult(acquired=changed == 1, case=await self.get(case_id))

    async def set_note(self, case_id: int, note: str | None) -> None:
        """Replace the case's note (shown on the card)."""
        await self._db.execute("UPDATE mod_cases SET note = ? WHERE id = ?", (note, case_id))

    async def set_auto_action(self, case_id: int, action: str, note: str | None = None) -> None:
        """Record an automatic action taken when the case opened."""
        await self._db.execute(
            "UPDATE mod_cases SET auto_action = ?, note = COALESCE(?, note) WHERE id = ?", (action, note, case_id)
        )

    async def set_appealable(self, case_id: int, appealable: bool) -> Case | None:
        """Allow or forbid appeals of the case's decision (only while it is open: the decision takes it along)."""
        changed = await self._db.execute(
            f"UPDATE mod_cases SET appealable = ? WHERE id = ? AND state IN {_OPEN_SQL}",  # noqa: S608 - constant
            (int(appealable), case_id),
        )
        return await self.get(case_id) if changed else None

    async def open_for_author(self, guild_id: int, author_id: int, *, limit: int = 10) -> list[Case]:
        """A member's open cases, newest first (their cards show the member's strikes)."""
        rows = await self._db.fetchall(
            f"{self._select} WHERE c.guild_id = ? AND c.author_id = ? AND c.state IN {_OPEN_SQL} "
            "ORDER BY c.id DESC LIMIT ?",
            (guild_id, author_id, limit),
        )
        return [Case.from_row(row) for row in rows]

    async def set_card(self, case_id: int, channel_id: int, message_id: int) -> None:
        """Remember the posted card (first one recorded wins)."""
        await self._db.execute(
            "UPDATE mod_cases SET card_channel_id = ?, card_message_id = ? WHERE id = ? AND card_message_id IS NULL",
            (channel_id, message_id, case_id),
        )

    async def set_digest(self, case_ids: Sequence[int], channel_id: int, message_id: int) -> None:
        """Remember the digest message that announced these cases."""
        if not case_ids:
            return
        await self._db.execute(
            "UPDATE mod_cases SET digest_message_id = ?, card_channel_id = COALESCE(card_channel_id, ?) "  # noqa: S608
            f"WHERE id IN {self._db.dialect.id_list()} AND digest_message_id IS NULL",
            (message_id, channel_id, json.dumps([int(i) for i in case_ids])),
        )

    async def awaiting_card(self, channel_id: int, limit: int = 10_000) -> list[int]:
        """Open cases a digest in ``channel_id`` announced that have no card of their own yet, oldest first."""
        rows = await self._db.fetchall(
            "SELECT id FROM mod_cases WHERE card_message_id IS NULL AND digest_message_id IS NOT NULL "
            "AND card_channel_id = ? AND state IN ('pending', 'escalated') ORDER BY id LIMIT ?",
            (channel_id, limit),
        )
        return [int(row[0]) for row in rows]

    async def digested_without_card(self, limit: int = 10_000) -> list[Case]:
        """Open cases a digest announced that have no card of their own yet (every channel), oldest first."""
        rows = await self._db.fetchall(
            f"{self._select} WHERE c.card_message_id IS NULL AND c.digest_message_id IS NOT NULL "
            f"AND c.state IN {_OPEN_SQL} ORDER BY c.id LIMIT ?",
            (limit,),
        )
        return [Case.from_row(row) for row in rows]

    async def unannounced(self, limit: int = 10_000) -> list[Case]:
        """Open cases with neither a card nor a digest yet, oldest first."""
        rows = await self._db.fetchall(
            f"{self._select} WHERE c.card_message_id IS NULL AND c.digest_message_id IS NULL "
            f"AND c.state IN {_OPEN_SQL} ORDER BY c.id LIMIT ?",
            (limit,),
        )
        return [Case.from_row(row) for row in rows]

    async def open_in_channel(self, channel_id: int, since: datetime, limit: int) -> list[Case]:
        """Open cases of a channel whose message is not known to be deleted, created after ``since``, newest first."""
        rows = await self._db.fetchall(
            f"{self._select} WHERE c.channel_id = ? AND c.state IN {_OPEN_SQL} AND c.message_deleted = 0 "
            "AND c.created_at >= ? ORDER BY c.id DESC LIMIT ?",
            (channel_id, to_iso(since), limit),
        )
        return [Case.from_row(row) for row in rows]

    def _open_filter(
        self, guild_id: int, label: str | None, channel_id: int | None
    ) -> tuple[str, list[object]]:
        return queue_filter(self._db.dialect, f"c.guild_id = ? AND c.state IN {_OPEN_SQL}", guild_id, label, channel_id)

    async def list_open(
        self,
        guild_id: int,
        *,
        label: str | None = None,
        channel_id: int | None = None,
        offset: int = 0,
        limit: int = 10,
    ) -> list[Case]:
        """Open cases of a guild, oldest first, optionally filtered by label or channel."""
        where, params = self._open_filter(guild_id, label, channel_id)
        rows = await self._db.fetchall(
            f"{self._select} WHERE {where} ORDER BY c.id LIMIT ? OFFSET ?", (*params, limit, offset)
        )
        return [Case.from_row(row) for row in rows]

    async def count_open(self, guild_id: int, *, label: str | None = None, channel_id: int | None = None) -> int:
        """How many open cases match the filters."""
        where, params = self._open_filter(guild_id, label, channel_id)
        sql = f"SELECT COUNT(*) FROM mod_cases c WHERE {where}"  # noqa: S608 - constant fragments and "?" only
        row = await self._db.fetchone(sql, params)
        return int(row[0]) if row else 0

    async def open_labels(self, guild_id: int) -> list[str]:
        """Distinct labels among open cases (for autocomplete)."""
        rows = await self._db.fetchall(
            f"SELECT DISTINCT j.value FROM mod_cases c, {self._db.dialect.json_rows('c.labels_json', 'j')} "  # noqa: S608
            "WHERE c.guild_id = ? AND c.state IN ('pending', 'escalated') ORDER BY j.value",
            (guild_id,),
        )
        return [str(row[0]) for row in rows]

    async def for_author(self, guild_id: int, author_id: int, *, limit: int = 25,
                         open_only: bool = False) -> list[Case]:
        """A member's cases (only the open ones with ``open_only``), newest first."""
        state = f" AND c.state IN {_OPEN_SQL}" if open_only else ""
        rows = await self._db.fetchall(
            f"{self._select} WHERE c.guild_id = ? AND c.author_id = ?{state} ORDER BY c.id DESC LIMIT ?",
            (guild_id, author_id, limit),
        )
        return [Case.from_row(row) for row in rows]

    async def count_for_author(self, guild_id: int, author_id: int) -> dict[str, int]:
        """A member's case counts per state."""
        rows = await self._db.fetchall(
            "SELECT state, COUNT(*) FROM mod_cases WHERE guild_id = ? AND author_id = ? GROUP BY state",
            (guild_id, author_id),
        )
        return {str(row[0]): int(row[1]) for row in rows}
