"""Article library: ingestion, cleaning, fetching by URL and summarizing news articles.

Public API (imported lazily so that ``bot.articles.config`` stays cheap to import):

- ``ArticleLibrary`` (library.py): ``from_config(config)``, ``get(id)``, ``search(query)``,
  ``await resolve(id_or_url)``, ``await add_url(url)``, ``await summarize(target, length)``.
- ``summarize_article`` (summarize.py): ``await summarize_article(article, length, config=...) -> Summary``.
- ``render_summary`` (render.py): a Summary as Discord-embed-ready fields within Discord's limits.
- Models (models.py): ``Article``, ``Paragraph``, ``Comment``, ``Summary``.
- Errors (errors.py): ``ArticleError`` > ``ArticleNotFound``, ``FetchError`` > ``InvalidURL``,
  ``ForbiddenAddress``, ``Unreachable``, ``TooLarge``, ``NotAnArticle`` (each has ``user_message``).
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "ArticleLibrary": "library",
    "summarize_article": "summarize",
    "render_summary": "render",
    "EmbedFields": "render",
    "Article": "models",
    "Paragraph": "models",
    "Comment": "models",
    "Summary": "models",
    "ArticleError": "errors",
    "ArticleNotFound": "errors",
    "FetchError": "errors",
    "InvalidURL": "errors",
    "ForbiddenAddress": "errors",
    "Unreachable": "errors",
    "TooLarge": "errors",
    "NotAnArticle": "errors",
    "SummariesConfig": "config",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'bot.articles' has no attribute {name!r}")
    return getattr(importlib.import_module(f"bot.articles.{module}"), name)
