"""Fetching articles by URL against a loopback server: success, size/time limits, schemes, private addresses."""

from __future__ import annotations

import asyncio

import pytest
from support.news_site import news_site

from bot.articles.config import SummariesConfig
from bot.articles.errors import (
    FetchError,
    ForbiddenAddress,
    InvalidURL,
    NotAnArticle,
    TooLarge,
    Unreachable,
)
from bot.articles.fetch import check_url, fetch_article, is_forbidden_ip
from bot.articles.library import ArticleLibrary
from bot.articles.models import slug_for_url


@pytest.fixture
async def base(serve) -> str:
    return await serve(news_site())


async def test_ok_page(base: str, loopback_config: SummariesConfig) -> None:
    article = await fetch_article(f"{base}/article", loopback_config)
    assert article.title == "City Council Approves School Budget"
    assert article.id == slug_for_url(f"{base}/article")
    assert article.source == f"{base}/article"
    assert article.word_count > 150
    assert [c.author for c in article.comments] == ["Scott", "Maria K."]
    assert "Leave a Reply" not in article.body


async def test_redirects_are_followed_and_limited(base: str, loopback_config: SummariesConfig) -> None:
    article = await fetch_article(f"{base}/redirect", loopback_config)
    assert article.title == "City Council Approves School Budget"
    with pytest.raises(Unreachable, match="redirects"):
        await fetch_article(f"{base}/loop", loopback_config)


async def test_huge_page_is_refused_while_streaming(base: str, loopback_config: SummariesConfig) -> None:
    with pytest.raises(TooLarge):
        await fetch_article(f"{base}/huge-streamed", loopback_config)
    with pytest.raises(TooLarge, match="Content-Length"):
        await fetch_article(f"{base}/huge-declared", loopback_config)


async def test_non_article_pages(base: str, loopback_config: SummariesConfig) -> None:
    with pytest.raises(NotAnArticle) as info:
        await fetch_article(f"{base}/tiny", loopback_config)
    assert "doesn't look like a news article" in info.value.user_message
    with pytest.raises(NotAnArticle, match="application/pdf"):
        await fetch_article(f"{base}/doc.pdf", loopback_config)


@pytest.mark.parametrize(
    "url", ["ftp://example.com/a.txt", "file:///etc/passwd", "javascript:alert(1)", "example.com/news", "http://"]
)
async def test_non_http_urls(url: str, loopback_config: SummariesConfig) -> None:
    with pytest.raises(InvalidURL) as info:
        await fetch_article(url, loopback_config)
    assert isinstance(info.value, FetchError)
    assert "http://" in info.value.user_message


async def test_private_addresses_refused_unless_allowed(base: str) -> None:
    config = SummariesConfig(allow_private_addresses=False, fetch_timeout=2.0)
    port = base.rsplit(":", 1)[1]
    with pytest.raises(ForbiddenAddress):  # an IP literal
        await fetch_article(f"{base}/article", config)
    with pytest.raises(ForbiddenAddress):  # a host name, refused after DNS resolution
        await fetch_article(f"http://localhost:{port}/article", config)
    assert "private" in ForbiddenAddress().user_message


@pytest.mark.parametrize(
    "url",
    [
        "http://10.1.2.3/",
        "http://192.168.0.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://[fe80::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://0.0.0.0/",
        "http://100.64.0.1/",
        "http://240.0.0.1/",
    ],
)
def test_check_url_refuses_non_public_ip_literals(url: str) -> None:
    with pytest.raises(ForbiddenAddress):
        check_url(url, allow_private=False)
    assert check_url(url, allow_private=True) == url


@pytest.mark.parametrize("url", ["http://2130706433/", "http://127.1/", "http://0x7f.0.0.1/", "http://[::]/"])
async def test_obfuscated_loopback_forms_are_refused(url: str) -> None:
    config = SummariesConfig(allow_private_addresses=False, fetch_timeout=2.0)
    with pytest.raises((ForbiddenAddress, InvalidURL)):
        await fetch_article(url, config)


def test_public_addresses_pass() -> None:
    assert not is_forbidden_ip("93.184.216.34")
    assert not is_forbidden_ip("2606:4700::1111")
    assert is_forbidden_ip("127.0.0.1") and is_forbidden_ip("::1") and is_forbidden_ip("224.0.0.1")
    assert check_url(" https://example.com/a ", allow_private=False) == "https://example.com/a"


async def test_unreachable_host(closed_port: int, loopback_config: SummariesConfig) -> None:
    with pytest.raises(Unreachable) as info:
        await fetch_article(f"http://127.0.0.1:{closed_port}/", loopback_config)
    assert "couldn't reach" in info.value.user_message


async def test_timeout(base: str) -> None:
    config = SummariesConfig(allow_private_addresses=True, fetch_timeout=0.3)
    loop = asyncio.get_running_loop()
    start = loop.time()
    with pytest.raises(Unreachable, match="no answer within"):
        await fetch_article(f"{base}/slow", config)
    assert loop.time() - start < 2


async def test_http_error_status(base: str, loopback_config: SummariesConfig) -> None:
    with pytest.raises(Unreachable, match="404"):
        await fetch_article(f"{base}/missing", loopback_config)


async def test_library_add_url_and_resolve(base: str, loopback_config: SummariesConfig) -> None:
    library = ArticleLibrary(loopback_config)
    article = await library.resolve(f"{base}/article")
    assert article.id in library
    assert await library.add_url(f"{base}/article") is article  # fetched once
    assert library.get(article.id) is article
    summary = await library.summarize(f"{base}/article", "short")
    assert len(summary.sentences) == 2 and summary.source == f"{base}/article"
