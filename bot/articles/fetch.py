"""Fetch an article by URL safely: http(s) only, no private addresses, size and time limits.

Every hop (redirects are followed by hand) is checked: the scheme must be http or https, an IP-literal
host must be a public address, and host names are resolved through a guarded resolver that refuses
private, loopback, link-local, reserved and multicast addresses (the connection uses the addresses
that were checked, so DNS rebinding cannot slip past). The body is streamed and abandoned past
``fetch_max_bytes``. Set ``allow_private_addresses`` only for tests and trusted networks.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult

from bot.articles.config import SummariesConfig
from bot.articles.errors import FetchError, ForbiddenAddress, InvalidURL, NotAnArticle, TooLarge, Unreachable
from bot.articles.models import Article, slug_for_url
from bot.articles.parse import parse_text

MAX_REDIRECTS = 5
_CHUNK = 64 * 1024
_HTML_TYPES = ("text/html", "application/xhtml+xml")
_TEXT_TYPES = ("text/plain", "text/markdown")


def is_forbidden_ip(address: str) -> bool:
    """True for any address that is not a public unicast one (private, loopback, link-local, reserved...)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast or ip.is_reserved


class GuardedResolver(AbstractResolver):
    """A resolver that refuses host names pointing at non-public addresses."""

    def __init__(self, *, allow_private: bool) -> None:
        self._inner = aiohttp.ThreadedResolver()
        self._allow_private = allow_private

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        results = await self._inner.resolve(host, port, family)
        if not self._allow_private and any(is_forbidden_ip(r["host"]) for r in results):
            raise ForbiddenAddress(f"{host} resolves to a non-public address")
        return results

    async def close(self) -> None:
        await self._inner.close()


def check_url(url: str, *, allow_private: bool) -> str:
    """Validate scheme, host and (for IP literals) the address; returns the URL stripped of spaces."""
    url = url.strip()
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError as exc:
        raise InvalidURL(f"malformed URL: {exc}") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise InvalidURL(f"unsupported scheme {parts.scheme or '(none)'!r}")
    host = parts.hostname
    if not host:
        raise InvalidURL("URL has no host name")
    try:
        forbidden = is_forbidden_ip(host)
    except ValueError:
        forbidden = False  # a host name: checked by GuardedResolver when connecting
    if forbidden and not allow_private:
        raise ForbiddenAddress(f"{host} is not a public address")
    return url


@dataclass(frozen=True, slots=True)
class FetchedPage:
    """A downloaded page."""

    url: str
    content_type: str
    charset: str | None
    body: bytes


async def _read_limited(response: aiohttp.ClientResponse, max_bytes: int) -> bytes:
    declared = response.content_length
    if declared is not None and declared > max_bytes:
        raise TooLarge(f"Content-Length {declared} exceeds {max_bytes} bytes")
    chunks: list[bytes] = []
    total = 0
    async for chunk in response.content.iter_chunked(_CHUNK):
        total += len(chunk)
        if total > max_bytes:
            raise TooLarge(f"body exceeds {max_bytes} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


async def _fetch(session: aiohttp.ClientSession, url: str, config: SummariesConfig) -> FetchedPage:
    for _ in range(MAX_REDIRECTS + 1):
        url = check_url(url, allow_private=config.allow_private_addresses)
        async with session.get(url, allow_redirects=False) as response:
            if response.status in (301, 302, 303, 307, 308) and "Location" in response.headers:
                url = urljoin(url, response.headers["Location"])
                continue
            if response.status >= 400:
                raise Unreachable(f"HTTP {response.status} from {response.url.host}")
            body = await _read_limited(response, config.fetch_max_bytes)
            return FetchedPage(str(response.url), response.content_type, response.charset, body)
    raise Unreachable(f"more than {MAX_REDIRECTS} redirects")


async def fetch_page(url: str, config: SummariesConfig) -> FetchedPage:
    """Download ``url`` within the configured limits; raises a :class:`FetchError` subclass on failure."""
    check_url(url, allow_private=config.allow_private_addresses)
    connector = aiohttp.TCPConnector(resolver=GuardedResolver(allow_private=config.allow_private_addresses))
    timeout = aiohttp.ClientTimeout(total=config.fetch_timeout)
    headers = {"User-Agent": config.user_agent, "Accept": "text/html,application/xhtml+xml,text/plain;q=0.8"}
    try:
        async with (
            asyncio.timeout(config.fetch_timeout),
            aiohttp.ClientSession(connector=connector, timeout=timeout, headers=headers, trust_env=False) as session,
        ):
            return await _fetch(session, url, config)
    except FetchError:
        raise
    except TimeoutError:
        raise Unreachable(f"no answer within {config.fetch_timeout:g} s") from None
    except aiohttp.InvalidURL as exc:
        raise InvalidURL(str(exc)) from None
    except (aiohttp.ClientError, OSError) as exc:
        raise Unreachable(f"{type(exc).__name__}: {exc}") from None


def page_to_article(page: FetchedPage, *, article_id: str | None = None) -> Article:
    """Parse a downloaded page (HTML or plain text) into an Article."""
    article_id = article_id or slug_for_url(page.url)
    if page.content_type in _HTML_TYPES or not page.content_type:
        from bot.articles.html import parse_html

        return parse_html(page.body, article_id=article_id, source=page.url, url=page.url)
    if page.content_type in _TEXT_TYPES:
        text = page.body.decode(page.charset or "utf-8", errors="replace")
        return parse_text(text, article_id=article_id, source=page.url)
    raise NotAnArticle(f"content type {page.content_type!r} is not a web page")


async def fetch_article(url: str, config: SummariesConfig, *, article_id: str | None = None) -> Article:
    """Fetch and parse the article at ``url``; NotAnArticle if it holds too little text.

    The id defaults to a slug of the URL as given (not of the final URL after redirects).
    """
    page = await fetch_page(url, config)
    article = await asyncio.to_thread(page_to_article, page, article_id=article_id or slug_for_url(url.strip()))
    if article.word_count < config.min_article_words:
        raise NotAnArticle(f"only {article.word_count} words of article text (need {config.min_article_words})")
    return article
