"""The case state machine: states, moderator actions, which action is allowed from which state, and its result."""

from __future__ import annotations

from enum import StrEnum


class CaseState(StrEnum):
    """Where a case is in its life. ``pending`` and ``escalated`` are open; the rest are closed decisions."""

    PENDING = "pending"
    ESCALATED = "escalated"
    APPROVED = "approved"
    REMOVED = "removed"
    WARNED = "warned"
    TIMED_OUT = "timed_out"

    @property
    def is_open(self) -> bool:
        """True while moderators can still act on the case."""
        return self in OPEN_STATES

    @property
    def label(self) -> str:
        """Human wording for cards and lists."""
        return _STATE_LABELS[self]


class Action(StrEnum):
    """What a moderator can do from a case card."""

    APPROVE = "approve"
    REMOVE = "remove"
    WARN = "warn"
    TIMEOUT = "timeout"
    ESCALATE = "escalate"
    CLAIM = "claim"

    @property
    def label(self) -> str:
        """Button caption."""
        return self.value.capitalize()

    @property
    def has_side_effect(self) -> bool:
        """True when the action does something on Discord (delete, timeout, DM) besides changing the case."""
        return self in (Action.REMOVE, Action.WARN, Action.TIMEOUT)


OPEN_STATES = frozenset({CaseState.PENDING, CaseState.ESCALATED})
CLOSED_STATES = frozenset(set(CaseState) - OPEN_STATES)

_STATE_LABELS = {
    CaseState.PENDING: "Pending",
    CaseState.ESCALATED: "Escalated",
    CaseState.APPROVED: "Approved",
    CaseState.REMOVED: "Removed",
    CaseState.WARNED: "Warned",
    CaseState.TIMED_OUT: "Timed out",
}

RESULT_STATE: dict[Action, CaseState] = {
    Action.APPROVE: CaseState.APPROVED,
    Action.REMOVE: CaseState.REMOVED,
    Action.WARN: CaseState.WARNED,
    Action.TIMEOUT: CaseState.TIMED_OUT,
    Action.ESCALATE: CaseState.ESCALATED,
}

# Which states each action may start from. Escalate only from pending; claim and decisions from any open state.
ALLOWED_FROM: dict[Action, frozenset[CaseState]] = {
    Action.APPROVE: OPEN_STATES,
    Action.REMOVE: OPEN_STATES,
    Action.WARN: OPEN_STATES,
    Action.TIMEOUT: OPEN_STATES,
    Action.ESCALATE: frozenset({CaseState.PENDING}),
    Action.CLAIM: OPEN_STATES,
}

# Discord permissions (discord.Permissions attribute names) the bot needs for an action.
REQUIRED_BOT_PERMISSIONS: dict[Action, tuple[str, ...]] = {
    Action.REMOVE: ("manage_messages",),
    Action.TIMEOUT: ("moderate_members",),
}


def can_apply(state: CaseState, action: Action) -> bool:
    """True when ``action`` is allowed on a case in ``state``."""
    return state in ALLOWED_FROM[action]


def result_state(action: Action) -> CaseState | None:
    """The state a successful ``action`` leads to (``None`` for Claim, which does not change the state)."""
    return RESULT_STATE.get(action)


def available_actions(state: CaseState, *, claimed: bool = False) -> list[Action]:
    """Buttons to show on a card in ``state`` (empty once decided)."""
    actions = [action for action in Action if can_apply(state, action)]
    if claimed:
        actions = [action for action in actions if action is not Action.CLAIM]
    return actions
