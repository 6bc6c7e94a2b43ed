"""``modbot run``: start the bot, with clear messages for a missing/bad token or a missing privileged intent."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from typing import TYPE_CHECKING

from bot.cli.common import settings_or_exit
from bot.cli.exit_codes import ExitCode
from bot.logsetup import setup_logging
from bot.settings import Settings

if TYPE_CHECKING:
    from bot.moderation.scoring import MessageScorer

log = logging.getLogger("bot.run")

NO_TOKEN = (
    "modbot: no Discord bot token configured. Set the DISCORD_TOKEN environment variable "
    "(or MODBOT_DISCORD__TOKEN, or discord.token in your config file / .env)."
)
BAD_TOKEN = (
    "modbot: Discord rejected the bot token (401 Unauthorized). Copy a fresh token from the Developer Portal "
    "(Applications > your app > Bot > Reset Token) into DISCORD_TOKEN."
)


SHARD_CLOSE = {
    4010: "modbot: Discord refused the shard (close code 4010, invalid shard): every shard id in [discord] shard_ids "
          "must be below shard_count, and shard_count must be the same in every process.",
    4011: "modbot: Discord requires more shards (close code 4011, sharding required): raise [discord] shard_count "
          "(Discord allows at most 2,500 guilds per shard) and run every shard (README \"Scaling out\").",
}


def intent_message(members: bool) -> str:
    """Explain close code 4014: which privileged intents to enable in the Developer Portal."""
    needed = ["MESSAGE CONTENT INTENT"] + (["SERVER MEMBERS INTENT"] if members else [])
    return (
        "modbot: Discord refused the connection (close code 4014): the bot asks for a privileged intent that is "
        f"not enabled. Enable {' and '.join(needed)} under Developer Portal > Applications > your app > Bot > "
        "Privileged Gateway Intents, then start modbot again."
    )


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``run`` subcommand."""
    parser = subparsers.add_parser("run", help="connect to Discord and run the bot")
    parser.set_defaults(func=run)


async def run_bot(settings: Settings, *, scorer: MessageScorer | None = None) -> int:
    """Run until closed or signalled; map known startup failures to exit codes and messages.

    ``scorer`` replaces the analyzer (see :class:`bot.app.ModBot`; crash tests run this command with one)."""
    import discord

    from bot.app import ModBot
    from bot.cluster import ClusterUnavailable
    from bot.storage import StorageError

    assert settings.discord.token is not None
    bot = ModBot(settings, scorer=scorer)
    loop = asyncio.get_running_loop()
    closing: list[asyncio.Task[None]] = []

    def _stop(signame: str) -> None:
        if not closing:
            log.info("received %s, shutting down", signame)
            closing.append(loop.create_task(bot.close()))

    for sig in (signal.SIGTERM, signal.SIGINT):
        try:
            loop.add_signal_handler(sig, _stop, sig.name)
        except (NotImplementedError, RuntimeError):  # pragma: no cover - non-POSIX
            pass
    try:
        async with bot:
            await bot.start(settings.discord.token.get_secret_value())
    except discord.LoginFailure:
        print(BAD_TOKEN, file=sys.stderr)
        return ExitCode.FAILED
    except discord.PrivilegedIntentsRequired:
        print(intent_message(settings.discord.members_intent), file=sys.stderr)
        return ExitCode.FAILED
    except (StorageError, ClusterUnavailable) as exc:
        print(f"modbot: {exc}", file=sys.stderr)
        return ExitCode.FAILED
    except discord.ConnectionClosed as exc:
        if exc.code not in SHARD_CLOSE:
            raise
        print(SHARD_CLOSE[exc.code], file=sys.stderr)
        return ExitCode.FAILED
    finally:
        for sig in (signal.SIGTERM, signal.SIGINT):
            try:
                loop.remove_signal_handler(sig)
            except (NotImplementedError, RuntimeError):  # pragma: no cover - non-POSIX
                pass
        if closing:
            await closing[0]  # finish closing the gateway, services and DB before asyncio.run() tears down
    log.info("modbot stopped")
    return ExitCode.OK


def run(args: argparse.Namespace, *, scorer: MessageScorer | None = None) -> int:
    """Entry point for ``modbot run`` (``scorer``: see :func:`run_bot`)."""
    settings = settings_or_exit(args)
    if isinstance(settings, int):
        return settings
    if settings.discord.token is None or not settings.discord.token.get_secret_value().strip():
        print(NO_TOKEN, file=sys.stderr)
        return ExitCode.CONFIG
    setup_logging(
        settings.logging.level, settings.logging.format, secrets=[settings.discord.token.get_secret_value()],
        debug_content=settings.logging.debug_content,
    )
    return asyncio.run(run_bot(settings, scorer=scorer))
