"""The Discord side of moderation that is not a cog: case cards and their components, the publisher and action
executor (the core's ports over discord.py), dialogs, moderator checks and the message snapshot converter.

Why a package of its own: ``bot/app.py`` builds the publisher and executor once, in the composition root
(``ModBot.setup_hook``), and ``bot/`` may not import ``cogs/`` (the cogs are extensions loaded by name). So the
adapters live here, where both ``bot/app.py`` and the cogs import them. Nothing here imports ``cogs/`` or
``bot.app`` at run time (``ModBot`` is named for typing only).
"""
