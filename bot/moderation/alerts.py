"""Alert noise: who a card or digest pings (per severity), and quiet mode (digests instead of cards).

- ``moderation.ping_roles`` maps a severity to a role: a new case of that severity mentions the role (the message
  allows exactly those role mentions; the bot's default allows none). Other severities never ping; @everyone and
  @here never are (a role id equal to the guild id, the @everyone role, is ignored). A digest pings the roles of
  the severities of the cases it lists; follow-up cards of cases a digest already announced do not ping.
- ``moderation.quiet_mode``: no card per case; the card worker lists new cases in one digest message every
  ``quiet_digest_minutes`` (:mod:`bot.moderation.posting`). The cases are stored as always (``/queue``, ``/case``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from bot.moderation.config import ModerationConfig


@dataclass(frozen=True)
class AlertPolicy:
    """One guild's alert settings, as the card worker applies them."""

    ping_roles: Mapping[str, int] = field(default_factory=dict)
    quiet: bool = False
    quiet_seconds: float = 900.0

    def pings(self, guild_id: int, severities: Iterable[str]) -> tuple[int, ...]:
        """Role ids to mention for cases of these severities (each once, in severity order given)."""
        roles = (self.ping_roles.get(severity) for severity in severities)
        return tuple(dict.fromkeys(role for role in roles if role and role != guild_id))


NO_ALERTS = AlertPolicy()

PolicyFor = Callable[[int], AlertPolicy]
"""guild id -> the guild's :class:`AlertPolicy` (read on every post, so ``/config`` changes apply at once)."""


def policy_of(config: ModerationConfig) -> AlertPolicy:
    """The alert policy of a guild's ``[moderation]`` settings."""
    roles: dict[str, int] = {str(severity): role for severity, role in config.ping_roles.items()}
    return AlertPolicy(roles, config.quiet_mode, config.quiet_digest_minutes * 60.0)
