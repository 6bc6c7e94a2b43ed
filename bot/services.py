"""The core services a running bot shares with its cogs, built once from settings (no Discord here).

:func:`build_services` is the core half of the composition root; ``bot/app.py`` (``ModBot.setup_hook``) adds the
Discord adapters and the moderation service on top. The optional features are imported where they are built, so
a feature whose dependencies fail to import degrades instead of stopping the bot.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.guildconf import GuildConfigService
from bot.settings import Settings
from bot.storage import Database

if TYPE_CHECKING:
    from bot.analysis.analyzer import Analyzer
    from bot.analysis.engine import ScoringEngine
    from bot.api.server import ApiServer
    from bot.articles.library import ArticleLibrary

log = logging.getLogger(__name__)


@dataclass
class Services:
    """Long-lived core objects. ``None`` means the feature is not available in this process."""

    settings: Settings
    db: Database
    guild_config: GuildConfigService  # ``await services.guild_config.effective(guild_id)`` -> GuildSettings
    library: ArticleLibrary | None = None
    engine: ScoringEngine | None = None
    analyzer: Analyzer | None = None
    api: ApiServer | None = None  # ``[api] enabled``: the comment analysis API over this engine and analyzer

    @classmethod
    def core(cls, settings: Settings, db: Database) -> Services:
        """Only what every bot has (storage and per-guild settings): no library, toxicity engine or analyzer."""
        return cls(settings=settings, db=db, guild_config=GuildConfigService(settings, db))

    def model_status(self) -> str:
        """One line on the toxicity model for /about and logs."""
        if self.engine is None:
            if not self.settings.toxicity.enabled:
                return "disabled in config ([toxicity] enabled = false); other detectors active"
            return "degraded: the engine could not start (see logs); other detectors active"
        return self.engine.status.summary

    def heads_status(self) -> str:
        """One line on the learned heads (MiniLM encoder) for /about and logs."""
        if self.analyzer is None:
            return "off (moderation disabled)" if not self.settings.moderation.enabled else "degraded: no analyzer"
        if self.analyzer.heads_error:
            return f"degraded: {self.analyzer.heads_error}; Detoxify and lexicons still active"
        return self.analyzer.status["heads"]

    async def close(self) -> None:
        """Release resources held by services (the DB is closed by its owner)."""
        if self.api is not None:
            try:
                await self.api.stop()
            except Exception:
                log.exception("error while stopping the API server")
            self.api = None
        for service in (self.analyzer, self.engine):
            if service is None:
                continue
            try:
                await service.close()
            except Exception:
                log.exception("error while closing %s", type(service).__name__)


async def build_services(settings: Settings, db: Database, *, analyzer_scores: bool = True) -> Services:
    """Create the services the settings ask for. Failures degrade features; they never stop the bot.

    ``analyzer_scores``: False when another scorer was injected (tests), so the heads are not checked at start."""
    services = Services.core(settings, db)
    services.library = await _build_library(settings)
    await _attach_article_store(services.library, db)
    services.engine = await _build_engine(settings)
    services.analyzer = _build_analyzer(settings, services.engine)
    if services.analyzer is not None and settings.policy.use_learned_heads and analyzer_scores:
        # Check the head artifacts and the encoder's sha256 now (off the loop), so /about tells the truth from
        # the start; the model itself loads on the first message.
        await asyncio.to_thread(services.analyzer.preflight)
    if settings.api.enabled:
        services.api = await _start_api(settings, db, services.engine, services.analyzer)
    return services


async def build_scoring_services(settings: Settings, db: Database, *, analyzer_scores: bool = True) -> Services:
    """What a scoring worker (``modbot worker``) needs: storage, per-guild settings, the toxicity engine and the
    analyzer (no article library, no API)."""
    services = Services.core(settings, db)
    services.engine = await _build_engine(settings)
    services.analyzer = _build_analyzer(settings, services.engine)
    if services.analyzer is not None and settings.policy.use_learned_heads and analyzer_scores:
        await asyncio.to_thread(services.analyzer.preflight)
    return services


async def _start_api(settings: Settings, db: Database, engine: ScoringEngine | None,
                     analyzer: Analyzer | None) -> ApiServer | None:
    """The comment analysis API in the bot's process, over the bot's engine and analyzer ([api] enabled)."""
    from bot.api.server import StartRefused, build_server

    server = build_server(settings, db, engine, analyzer)
    try:
        await server.start()
    except StartRefused as exc:
        log.error("the comment analysis API is not served: %s", exc)
        await server.stop()
        return None
    return server


async def _build_engine(settings: Settings) -> ScoringEngine | None:
    """The Detoxify scoring engine. It loads in the background; until then (or if loading fails) it reports a
    degraded status and the other detectors keep working."""
    if not settings.toxicity.enabled:
        log.info("toxicity model disabled in config ([toxicity] enabled = false)")
        return None
    try:
        from bot.analysis.engine import ScoringEngine

        engine = ScoringEngine(settings.toxicity)
        await engine.start(wait=min(settings.toxicity.startup_wait, 5.0))
    except Exception:
        log.exception("the toxicity engine could not start: running without toxicity scores")
        return None
    return engine


def _build_analyzer(settings: Settings, engine: ScoringEngine | None) -> Analyzer | None:
    """The inflammatory/partisan analyzer (learned heads load lazily, off the event loop, on first use)."""
    if not settings.moderation.enabled:
        return None
    try:
        from bot.analysis.analyzer import Analyzer

        return Analyzer(settings.policy, engine=engine)
    except Exception:
        log.exception("the analyzer could not be built: messages will not be scored")
        return None


async def _build_library(settings: Settings) -> ArticleLibrary | None:
    """The article library for /summary and /articles (file I/O in a thread); None if it cannot be built."""
    try:
        from bot.articles.library import ArticleLibrary

        library = await asyncio.to_thread(ArticleLibrary.from_config, settings.summaries)
    except Exception:
        log.exception("the article library could not be loaded: /summary and /articles are unavailable")
        return None
    log.info("article library: %d articles", len(library))
    return library


async def _attach_article_store(library: ArticleLibrary | None, db: Database) -> None:
    """Articles added by URL in earlier runs are loaded back; new ones are stored (table ``library_articles``)."""
    if library is None:
        return
    try:
        from bot.articles.store import ArticleStore

        loaded = await library.attach_store(ArticleStore(db))
    except Exception:
        log.exception("articles added by URL could not be loaded from the database")
        return
    if loaded:
        log.info("article library: %d articles added by URL loaded from the database", loaded)
