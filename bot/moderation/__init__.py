"""Moderator review queue core (no Discord): cases, reports, audit, state machine, cards as data, reconciliation.

The cogs (``cogs/listener.py``, ``cogs/review_queue.py``, ``cogs/queue_commands.py``, ``cogs/reports.py``) adapt
Discord events and interactions to :class:`bot.moderation.service.ModerationService`, which ``bot/app.py`` builds
once per bot and hands to them.
"""

from bot.moderation.models import Actor, Case, MessageSnapshot
from bot.moderation.scoring import Assessment, MessageScorer
from bot.moderation.service import ModerationService
from bot.moderation.state import Action, CaseState

__all__ = [
    "Action",
    "Actor",
    "Assessment",
    "Case",
    "CaseState",
    "MessageScorer",
    "MessageSnapshot",
    "ModerationService",
]
