"""Exceptions of the article library, each carrying a message that can be shown to a Discord user."""

from __future__ import annotations


class ArticleError(Exception):
    """Base class: ``user_message`` is safe and friendly to show to the person who asked."""

    user_message = "Something went wrong with that article."

    def __init__(self, detail: str | None = None) -> None:
        super().__init__(detail or self.user_message)
        self.detail = detail or self.user_message


class ArticleNotFound(ArticleError):
    """No article in the library has that id."""

    user_message = "I don't know that article. Pick one from the list or give me a link."

    def __init__(self, article_id: str) -> None:
        super().__init__(f"no article with id {article_id!r}")
        self.article_id = article_id


class FetchError(ArticleError):
    """Fetching an article by URL failed; subclasses say why."""

    user_message = "I couldn't fetch that link."


class InvalidURL(FetchError):
    """The text is not an http(s) URL with a host name."""

    user_message = "That doesn't look like a web link: only http:// and https:// links work."


class ForbiddenAddress(FetchError):
    """The host resolves to a private, loopback, link-local or reserved address."""

    user_message = "That link points to a private or local network address, which I won't fetch."


class Unreachable(FetchError):
    """DNS failure, refused connection, timeout, or an HTTP error status."""

    user_message = "I couldn't reach that site (it didn't answer, timed out, or returned an error)."


class TooLarge(FetchError):
    """The response body is larger than the configured limit."""

    user_message = "That page is too large for me to fetch."


class NotAnArticle(FetchError):
    """The page was fetched but holds too little article text (or is not HTML/text at all)."""

    user_message = "That page doesn't look like a news article (too little text to summarize)."
