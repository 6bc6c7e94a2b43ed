"""``/summary``: summarize a library article (autocomplete over titles) or a link, and open a discussion thread.

The summary is posted publicly. In a server text channel a public thread "Discussion: <title>" is opened from the
posted message and recorded in ``discussion_threads`` (thread id -> article id; the moderation listener watches these
threads). When the article already has a discussion thread from that channel that still exists and is not locked, the
summary links to it ("Continues in #thread", unarchiving it if needed) instead of splitting the discussion.
Inside a thread, outside text channels, or without the Create Public Threads permission the thread is skipped and the
embed footer says why. Problems with the request (unknown article, bad or unreachable link, a page that is
too large or not an article) are answered ephemerally with the library's ``user_message``.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import ModBot
from bot.articles.errors import ArticleError, ArticleNotFound
from bot.articles.fetch import check_url
from bot.articles.library import ArticleLibrary, looks_like_url
from bot.articles.models import Article, Summary
from bot.articles.render import (
    CHOICE_LIMIT,
    DESCRIPTION_LIMIT,
    FIELD_VALUE_LIMIT,
    FOOTER_LIMIT,
    TOTAL_LIMIT,
    bullet_list,
    choice_label,
    render_summary,
    truncate,
)
from bot.articles.threads_repo import DiscussionThreadRepository
from bot.command_tree import RESULT_POSTED
from bot.guildconf import GuildConfigService
from bot.storage import Database
from discord_edge.interactions import reply_ephemeral

log = logging.getLogger(__name__)

THREAD_NAME_LIMIT = 100
THREAD_ARCHIVE_MINUTES: Literal[60, 1440, 4320, 10080] = 1440  # the durations Discord accepts
NOTE_RESERVE = 160  # footer room kept for a note added after posting (thread creation failed)
EMBED_COLOUR = discord.Colour.blurple()
UNAVAILABLE = "Summaries are not available right now (the article library could not be loaded)."
ONE_OF = "Give either `article` (pick one from the list) or `url` (a link to a news article), not both."

NOTE_IN_THREAD = "Already in a thread, so no new discussion thread"
NOTE_NOT_TEXT = "Discussion threads open only in server text channels"
NOTE_NO_PERMISSION = "No discussion thread: I lack the Create Public Threads permission here"
NOTE_THREAD_FAILED = "Could not open a discussion thread"
DISCUSSION_FIELD = "Discussion"


def thread_name(title: str) -> str:
    """``"Discussion: <title>"`` within Discord's 100-character thread name limit."""
    return truncate(f"Discussion: {title}", THREAD_NAME_LIMIT)


def source_text(article: Article) -> str:
    """Where the article comes from: a link to its site, or the library file name (never a local path)."""
    source = article.source.strip()
    if source.startswith(("http://", "https://")):
        host = (urlsplit(source).hostname or source).removeprefix("www.")
        return f"[{host}]({source})" if len(source) + len(host) + 4 <= FIELD_VALUE_LIMIT else truncate(host, 200)
    return truncate(f"Library: {Path(source).name}" if source else "Library", 200)


def summary_embed(summary: Summary, article: Article, note: str | None = None) -> discord.Embed:
    """The public summary card: title (linked), bullet sentences, source, reading time, comments; <= 6,000 chars."""
    rendered = render_summary(summary, article)
    comments = len(article.comments)
    fields = (
        ("Source", source_text(article)),
        ("Reading time", f"{article.reading_minutes} min"),
        ("Comments", f"{comments} reader comment{'s' if comments != 1 else ''}"),
    )
    footer = truncate(" · ".join(p for p in (rendered.footer, note) if p), FOOTER_LIMIT)
    used = len(rendered.title) + max(len(footer), len(rendered.footer) + NOTE_RESERVE)
    used += sum(len(name) + len(value) for name, value in fields)
    description = bullet_list(summary.sentences, min(DESCRIPTION_LIMIT, TOTAL_LIMIT - used))
    embed = discord.Embed(title=rendered.title, url=rendered.url, description=description or "(no summary available)",
                          colour=EMBED_COLOUR)
    for name, value in fields:
        embed.add_field(name=name, value=value)
    embed.set_footer(text=footer)
    return embed


def with_note(embed: discord.Embed, note: str) -> discord.Embed:
    """A copy of ``embed`` whose footer ends with ``note``."""
    changed = embed.copy()
    changed.set_footer(text=truncate(f"{embed.footer.text or ''} · {note}", FOOTER_LIMIT))
    return changed


def thread_block_reason(interaction: discord.Interaction[Any]) -> str | None:
    """Why no discussion thread can be opened where the command ran, or None when one can."""
    channel = interaction.channel
    if isinstance(channel, discord.Thread):
        return NOTE_IN_THREAD
    if interaction.guild_id is None or not isinstance(channel, discord.TextChannel):
        return NOTE_NOT_TEXT
    if not interaction.app_permissions.create_public_threads:
        return NOTE_NO_PERMISSION
    return None


def find_article(library: ArticleLibrary, text: str) -> Article:
    """An article by id (or unique id prefix), else the only article whose title matches every typed word."""
    query = text.strip()
    if not query:
        raise ArticleNotFound(text)
    try:
        return library.get(query)
    except ArticleNotFound:
        hits = library.search(query, limit=2)
        if len(hits) == 1:
            return hits[0]
        raise


class Summaries(commands.Cog):
    """Article summaries on request, each with a discussion thread."""

    def __init__(self, bot: ModBot, library: ArticleLibrary | None, guild_config: GuildConfigService,
                 db: Database) -> None:
        self.bot = bot
        self.library = library  # None when it could not be loaded
        self.guild_config = guild_config
        self.db = db

    @app_commands.command(name="summary", description="Summarize a news article and open a thread to discuss it")
    @app_commands.describe(
        article="An article from the library (start typing its title)",
        url="Or a link to a news article to fetch and summarize",
        length="How long the summary should be",
    )
    async def summary(
        self,
        interaction: discord.Interaction[Any],
        article: str | None = None,
        url: str | None = None,
        length: Literal["short", "medium", "long"] | None = None,
    ) -> None:
        """Post the summary publicly; errors go to the invoker only."""
        library = self.library
        if library is None:
            await reply_ephemeral(interaction, UNAVAILABLE, replace_public_thinking=True)
            return
        if (article is None) == (url is None):
            await reply_ephemeral(interaction, ONE_OF, replace_public_thinking=True)
            return
        target = url if url is not None else article
        assert target is not None
        try:
            if url is not None or looks_like_url(target):
                check_url(target, allow_private=library.config.allow_private_addresses)
                await interaction.response.defer(thinking=True)  # fetching takes time
                found = await library.add_url(target)
            else:
                found = find_article(library, target)
                await interaction.response.defer(thinking=True)  # an LLM backend may take a while
            result = await library.summarize(found, length or self._default_length(interaction, library))
        except ArticleError as exc:
            log.info("/summary refused (%s)%s", type(exc).__name__, self._detail(exc))
            await reply_ephemeral(interaction, exc.user_message, replace_public_thinking=True)
            return
        await self._post(interaction, found, result)

    def _detail(self, exc: ArticleError) -> str:
        """What the member typed is message content: logged only with ``logging.debug_content`` on."""
        return f": {exc.detail}" if self.bot.settings.logging.debug_content else ""

    def _default_length(self, interaction: discord.Interaction[Any], library: ArticleLibrary) -> str:
        """The server's summary length (``/config set summaries.default_length``), else the file config's."""
        if interaction.guild_id is None:
            return str(library.config.default_length)
        return str(self.guild_config.current(interaction.guild_id).summaries.default_length)

    async def _post(self, interaction: discord.Interaction[Any], article: Article, summary: Summary) -> None:
        reason = thread_block_reason(interaction)
        existing = await self._existing_thread(interaction, article) if reason is None else None
        embed = summary_embed(summary, article, note=reason)
        if existing is not None:
            embed.add_field(name=DISCUSSION_FIELD, value=f"Continues in {existing.mention}", inline=False)
        message = await interaction.followup.send(embed=embed, wait=True)
        interaction.extras[RESULT_POSTED] = True  # a later failure must not replace the summary (bot.command_tree)
        if reason is None and existing is None:
            await self._open_thread(interaction, message, article, embed)

    async def _existing_thread(self, interaction: discord.Interaction[Any], article: Article) -> discord.Thread | None:
        """The newest usable discussion thread for ``article`` opened from this channel (reopened if archived)."""
        db = self.db
        if interaction.guild_id is None or interaction.channel_id is None:
            return None
        try:
            records = await DiscussionThreadRepository(db).in_channel(
                article.id, interaction.guild_id, interaction.channel_id)
        except Exception:
            log.exception("could not look up discussion threads for article %s", article.id)
            return None
        for record in records:
            try:  # REST, not the cache: a thread deleted while the bot was offline must not be linked
                channel = await self.bot.fetch_channel(record.thread_id)
            except discord.HTTPException as exc:  # deleted (404) or no longer visible (403)
                log.info("discussion thread %s for article %s is gone (%s)", record.thread_id, article.id, exc.status)
                continue
            if not isinstance(channel, discord.Thread) or channel.locked:
                continue
            if channel.archived:
                try:
                    channel = await channel.edit(archived=False)
                except discord.HTTPException as exc:
                    log.info("could not reopen discussion thread %s: %s", record.thread_id, exc)
                    continue
            return channel
        return None

    async def _open_thread(self, interaction: discord.Interaction[Any], message: discord.WebhookMessage,
                           article: Article, embed: discord.Embed) -> None:
        channel = interaction.channel
        assert isinstance(channel, discord.TextChannel)  # thread_block_reason() checked it
        try:  # through the cached channel: a followup message carries no guild of its own
            thread = await channel.create_thread(name=thread_name(article.title), message=message,
                                                 auto_archive_duration=THREAD_ARCHIVE_MINUTES)
        except discord.HTTPException as exc:
            log.warning("could not open a discussion thread in channel %s: %s", interaction.channel_id, exc)
            try:
                await message.edit(embed=with_note(embed, NOTE_THREAD_FAILED))
            except discord.HTTPException:
                pass
            return
        await self._record(interaction, thread, message, article)

    async def _record(self, interaction: discord.Interaction[Any], thread: discord.Thread,
                      message: discord.WebhookMessage, article: Article) -> None:
        db = self.db
        try:
            await DiscussionThreadRepository(db).record(
                thread_id=thread.id, guild_id=thread.guild.id, channel_id=interaction.channel_id or 0,
                message_id=message.id, article_id=article.id, article_title=article.title,
                article_source=article.source, created_by=interaction.user.id,
            )
        except Exception:
            log.exception("could not record discussion thread %s for article %s", thread.id, article.id)

    @summary.autocomplete("article")
    async def article_autocomplete(self, interaction: discord.Interaction[Any],
                                   current: str) -> list[app_commands.Choice[str]]:
        """Up to 25 library articles whose id or title contains every typed word."""
        library = self.library
        if library is None:
            return []
        return [
            app_commands.Choice(name=choice_label(found), value=found.id)
            for found in library.search(current, limit=25)
            if len(found.id) <= CHOICE_LIMIT
        ]


async def setup(bot: ModBot) -> None:
    """Load the Summaries cog."""
    await bot.add_cog(Summaries(bot, bot.library, bot.guild_config, bot.db))
