"""Strikes with decay: every warning, removal or timeout decided on a case is one strike for its author.

One strike per case (``mod_strikes.case_id`` is UNIQUE), recorded by
:class:`~bot.moderation.decisions.DecisionService` right after the conditional update that makes the first decision
win, so concurrent clicks and restarts cannot count a case twice. A strike fades by time: ``expires_at`` is set
when it is given (``strike_decay_days`` of that moment), so no background job is needed. An administrator can
clear a member's strikes (``/strikes clear``), and an accepted appeal clears the strike of its case; cleared
strikes stay stored (who, when, why) and stop counting.

The ladder (``strike_ladder``, strike count -> timeout minutes) only *suggests*: :func:`suggestion` names the step
that applies to the decision a moderator is about to take; a moderator applies it with one button.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.moderation.state import Action
from bot.storage import Database, Transaction
from bot.timestamps import parse_iso, to_iso, utcnow

STRIKE_ACTIONS = frozenset({Action.REMOVE, Action.WARN, Action.TIMEOUT})
"""Decisions that count as a strike (approve and escalate do not)."""


@dataclass(frozen=True)
class Strike:
    """One row of ``mod_strikes``."""

    id: int
    guild_id: int
    member_id: int
    case_id: int
    action: str
    minutes: int | None
    created_at: datetime
    expires_at: datetime
    cleared_at: datetime | None
    cleared_by: int | None

    def active(self, now: datetime) -> bool:
        """True while the strike counts: not cleared and not yet faded."""
        return self.cleared_at is None and self.expires_at > now

    @classmethod
    def from_row(cls, row: Any) -> Strike:
        """From a row of ``mod_strikes``."""
        created, expires = parse_iso(row["created_at"]), parse_iso(row["expires_at"])
        assert created is not None and expires is not None
        return cls(int(row["id"]), int(row["guild_id"]), int(row["member_id"]), int(row["case_id"]),
                   str(row["action"]), row["minutes"], created, expires, parse_iso(row["cleared_at"]),
                   row["cleared_by"])


@dataclass(frozen=True)
class LadderStep:
    """A suggested timeout: at the ``strike``-th active strike, ``minutes``."""

    strike: int
    minutes: int


def ordinal(number: int) -> str:
    """``1st``, ``2nd``, ``3rd``, ``11th``, ``22nd``."""
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def format_minutes(minutes: int) -> str:
    """``10 minutes``, ``1 hour``, ``1 day``, ``1 week``."""
    for size, unit in ((10080, "week"), (1440, "day"), (60, "hour")):
        if minutes % size == 0:
            count = minutes // size
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def suggestion(ladder: Mapping[int, int], active: int) -> LadderStep | None:
    """The step for a decision that would be strike number ``active + 1``: the highest step at or below it."""
    upcoming = active + 1
    reached = [strikes for strikes in ladder if strikes <= upcoming]
    if not reached:
        return None
    top = max(reached)
    return LadderStep(upcoming, ladder[top])


def next_step(ladder: Mapping[int, int], active: int) -> LadderStep | None:
    """The first step above the one a decision now would reach (for "next: ..." on cards)."""
    later = [strikes for strikes in ladder if strikes > active + 1]
    return LadderStep(min(later), ladder[min(later)]) if later else None


class StrikeRepository:
    """Reads and writes ``mod_strikes``."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def record(self, *, guild_id: int, member_id: int, case_id: int, action: Action, decay_days: int,
                     minutes: int | None = None, now: datetime | None = None) -> bool:
        """Store the strike of a decided case; False when that case already has one (one strike per case)."""
        async with self._db.transaction() as tx:
            return await self.insert(tx, guild_id=guild_id, member_id=member_id, case_id=case_id, action=action,
                                     decay_days=decay_days, minutes=minutes, now=now)

    @staticmethod
    async def insert(tx: Transaction, *, guild_id: int, member_id: int, case_id: int, action: Action,
                     decay_days: int, minutes: int | None = None, now: datetime | None = None) -> bool:
        """:meth:`record` inside a transaction the caller holds (the decision's own: see ``CaseRepository.finish``)."""
        when = now or utcnow()
        row = await tx.fetchone(
            "INSERT INTO mod_strikes (guild_id, member_id, case_id, action, minutes, created_at, expires_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(case_id) DO NOTHING RETURNING id",
            (guild_id, member_id, case_id, action.value, minutes, to_iso(when),
             to_iso(when + timedelta(days=decay_days))),
        )
        return row is not None

    async def active(self, guild_id: int, member_id: int, *, now: datetime | None = None) -> list[Strike]:
        """A member's active strikes, oldest first."""
        rows = await self._db.fetchall(
            "SELECT * FROM mod_strikes WHERE guild_id = ? AND member_id = ? AND cleared_at IS NULL "
            "AND expires_at > ? ORDER BY id",
            (guild_id, member_id, to_iso(now or utcnow())),
        )
        return [Strike.from_row(row) for row in rows]

    async def for_member(self, guild_id: int, member_id: int, *, limit: int = 25) -> list[Strike]:
        """A member's strikes, active or not, newest first."""
        rows = await self._db.fetchall(
            "SELECT * FROM mod_strikes WHERE guild_id = ? AND member_id = ? ORDER BY id DESC LIMIT ?",
            (guild_id, member_id, limit),
        )
        return [Strike.from_row(row) for row in rows]

    async def of_case(self, case_id: int) -> Strike | None:
        """The strike a case gave, if any."""
        row = await self._db.fetchone("SELECT * FROM mod_strikes WHERE case_id = ?", (case_id,))
        return Strike.from_row(row) if row else None

    async def clear_member(self, guild_id: int, member_id: int, actor_id: int, reason: str, *,
                           now: datetime | None = None) -> int:
        """Clear every active strike of a member; returns how many were cleared."""
        when = to_iso(now or utcnow())
        return await self._db.execute(
            "UPDATE mod_strikes SET cleared_at = ?, cleared_by = ?, cleared_reason = ? "
            "WHERE guild_id = ? AND member_id = ? AND cleared_at IS NULL AND expires_at > ?",
            (when, actor_id, reason, guild_id, member_id, when),
        )

    async def clear_case(self, case_id: int, actor_id: int, reason: str, *, now: datetime | None = None) -> bool:
        """Clear the strike of one case (an accepted appeal); False when it had none or it was cleared."""
        changed = await self._db.execute(
            "UPDATE mod_strikes SET cleared_at = ?, cleared_by = ?, cleared_reason = ? "
            "WHERE case_id = ? AND cleared_at IS NULL",
            (to_iso(now or utcnow()), actor_id, reason, case_id),
        )
        return changed == 1
