"""Moderator review queue core (no Discord): cases, reports, audit, state machine, cards as data, reconciliation.

Import from the modules (``bot.moderation.service``, ``bot.moderation.scoring``, ``bot.moderation.config``, ...):
this ``__init__`` stays empty so that importing the ``[moderation]`` settings model does not load the service.
The cogs (``cogs/listener.py``, ``cogs/review_queue.py``, ``cogs/queue_commands.py``, ``cogs/reports.py``) adapt
Discord events and interactions to :class:`bot.moderation.service.ModerationService`, which ``bot/app.py`` builds
once per bot and hands to them.
"""
