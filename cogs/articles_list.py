"""``/articles``: the article library as ephemeral embed pages with Previous/Next buttons for the invoker only."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import ModBot
from bot.articles.library import ArticleLibrary
from bot.articles.models import Article
from bot.articles.render import truncate
from bot.paging import clamp_page, page_count
from discord_edge.failures import ModView
from discord_edge.interactions import reply_ephemeral

PAGE_SIZE = 10
TITLE_CHARS = 120
VIEW_TIMEOUT = 600.0  # seconds; the interaction token (15 min) must outlive it to grey the buttons out
UNAVAILABLE = "The article library is not available right now."
NOT_YOURS = "These pages belong to whoever ran `/articles`; run it yourself to browse the library."


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def article_line(article: Article) -> str:
    """One library entry: id, title, word count, comment count and reading time."""
    title = discord.utils.escape_markdown(truncate(article.title, TITLE_CHARS))
    stats = " · ".join((_plural(article.word_count, "word"), _plural(len(article.comments), "comment"),
                        f"{article.reading_minutes} min read"))
    return f"`{article.id}`\n**{title}**\n{stats}"


def library_page(articles: Sequence[Article], page: int, size: int = PAGE_SIZE) -> discord.Embed:
    """Embed for page ``page`` (1-based) of ``articles``."""
    pages = page_count(len(articles), size)
    page = clamp_page(page, len(articles), size)
    shown = articles[(page - 1) * size : page * size]
    body = "\n\n".join(article_line(a) for a in shown) or "The library is empty."
    embed = discord.Embed(title="Article library", description=body, colour=discord.Colour.blurple())
    embed.set_footer(text=f"Page {page}/{pages} · {_plural(len(articles), 'article')} · "
                          "/summary article:<id> summarizes one")
    return embed


class LibraryPager(ModView):
    """Previous/Next buttons over a snapshot of the library; only ``owner_id`` may turn the pages."""

    def __init__(self, articles: Sequence[Article], owner_id: int, *, size: int = PAGE_SIZE) -> None:
        super().__init__(timeout=VIEW_TIMEOUT)
        self.articles = list(articles)
        self.owner_id = owner_id
        self.size = size
        self.page = 1
        self.origin: discord.Interaction[Any] | None = None
        self._sync_buttons()

    @property
    def pages(self) -> int:
        """Number of pages."""
        return page_count(len(self.articles), self.size)

    def embed(self) -> discord.Embed:
        """The current page."""
        return library_page(self.articles, self.page, self.size)

    def _sync_buttons(self) -> None:
        self.previous_page.disabled = self.page <= 1
        self.next_page.disabled = self.page >= self.pages

    async def interaction_check(self, interaction: discord.Interaction[Any]) -> bool:
        """Refuse (ephemerally) clicks from anyone but the invoker."""
        if interaction.user.id == self.owner_id:
            return True
        await reply_ephemeral(interaction, NOT_YOURS)
        return False

    async def _show(self, interaction: discord.Interaction[Any], page: int) -> None:
        self.page = clamp_page(page, len(self.articles), self.size)
        self._sync_buttons()
        await interaction.response.edit_message(embed=self.embed(), view=self)

    @discord.ui.button(label="\u25c0 Previous", style=discord.ButtonStyle.secondary)
    async def previous_page(self, interaction: discord.Interaction[Any], button: discord.ui.Button[Any]) -> None:
        """Show the previous page."""
        await self._show(interaction, self.page - 1)

    @discord.ui.button(label="Next \u25b6", style=discord.ButtonStyle.secondary)
    async def next_page(self, interaction: discord.Interaction[Any], button: discord.ui.Button[Any]) -> None:
        """Show the next page."""
        await self._show(interaction, self.page + 1)

    async def on_timeout(self) -> None:
        """Grey the buttons out once they stop working."""
        if self.origin is None:
            return
        self.previous_page.disabled = self.next_page.disabled = True
        try:
            await self.origin.edit_original_response(view=self)
        except discord.HTTPException:
            pass


class ArticlesList(commands.Cog):
    """Browse the article library."""

    def __init__(self, bot: ModBot, library: ArticleLibrary | None) -> None:
        self.bot = bot
        self.library = library  # None when it could not be loaded

    @app_commands.command(name="articles", description="List the articles /summary knows, page by page")
    async def articles(self, interaction: discord.Interaction[Any]) -> None:
        """Ephemeral first page; buttons only when there is more than one page."""
        library = self.library
        if library is None:
            await interaction.response.send_message(UNAVAILABLE, ephemeral=True)
            return
        pager = LibraryPager(list(library), interaction.user.id)
        if pager.pages == 1:
            await interaction.response.send_message(embed=pager.embed(), ephemeral=True)
            return
        pager.origin = interaction
        await interaction.response.send_message(embed=pager.embed(), view=pager, ephemeral=True)


async def setup(bot: ModBot) -> None:
    """Load the ArticlesList cog."""
    await bot.add_cog(ArticlesList(bot, bot.library))
