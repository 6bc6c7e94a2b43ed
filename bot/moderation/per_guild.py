"""Per-guild settings inside the moderation core: each guild's ``[moderation]``/``[policy]`` (from ``/config``) and
a card worker for every mod channel a guild sets for itself.

Without a guild-config source everything falls back to the file config, exactly as before per-guild settings.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from bot.moderation.alerts import AlertPolicy, policy_of
from bot.moderation.cases import CaseRepository
from bot.moderation.config import ModerationConfig
from bot.moderation.ports import CardPublisher
from bot.moderation.posting import CardPostQueue

if TYPE_CHECKING:
    from bot.analysis.config import PolicyConfig
    from bot.guildconf.service import GuildSettings


class GuildConfigs(Protocol):
    """The per-guild settings source (:class:`bot.guildconf.GuildConfigService`)."""

    def current(self, guild_id: int) -> GuildSettings:
        """The effective settings of a guild, without I/O."""
        ...


class PerGuild:
    """Looks up a guild's settings and owns the card workers of mod channels set per guild."""

    def __init__(self, config: ModerationConfig, guild_config: GuildConfigs | None, cases: CaseRepository,
                 publisher: CardPublisher | None) -> None:
        self.config = config
        self.guild_config = guild_config
        self._cases = cases
        self._publisher = publisher
        self.queues: dict[int, CardPostQueue] = {}

    def config_for(self, guild_id: int) -> ModerationConfig:
        """The ``[moderation]`` settings that apply in ``guild_id``."""
        return self.config if self.guild_config is None else self.guild_config.current(guild_id).moderation

    def alert_policy(self, guild_id: int) -> AlertPolicy:
        """The guild's pings per severity and quiet mode (:mod:`bot.moderation.alerts`)."""
        return policy_of(self.config_for(guild_id))

    def policy_for(self, guild_id: int) -> PolicyConfig | None:
        """The guild's ``[policy]`` for the scorer; None without per-guild settings (the scorer's own applies)."""
        return None if self.guild_config is None else self.guild_config.current(guild_id).policy

    def queue_for(self, guild_id: int, default: CardPostQueue | None, *, gate_open: bool) -> CardPostQueue | None:
        """The worker of the guild's mod channel: ``default`` when it is the file's channel, else one per channel
        (started on first use; posting waits for ``gate_open`` like the default worker)."""
        channel_id = self.config_for(guild_id).mod_channel_id
        if self._publisher is None or not channel_id:
            return None
        if default is not None and default.channel_id == channel_id:
            return default
        queue = self.queues.get(channel_id)
        if queue is None:
            queue = CardPostQueue(
                channel_id, self._cases, self._publisher, digest_threshold=self.config.digest_threshold,
                per_minute=self.config.cards_per_minute, retry_seconds=self.config.card_retry_seconds,
                policy=self.alert_policy,
            )
            queue.start()
            if gate_open:  # else after start-up reconciliation, which reads this channel too
                queue.open_gate()
            self.queues[channel_id] = queue
        return queue

    def open_gates(self) -> None:
        """Let every per-guild worker post (after start-up reconciliation)."""
        for queue in self.queues.values():
            queue.open_gate()

    async def stop(self) -> None:
        """Stop the per-guild workers; queued cases stay stored and unannounced."""
        for queue in self.queues.values():
            await queue.stop()
        self.queues.clear()
