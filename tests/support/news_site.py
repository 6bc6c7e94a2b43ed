"""A news site on loopback for the article-fetch tests (unit and /summary url: end to end): a real article page,
oversized responses (declared and streamed), a login page, a PDF, a slow page, a 404 and redirects."""

from __future__ import annotations

import asyncio
from pathlib import Path

from aiohttp import web

PAGE = (Path(__file__).parents[1] / "articles" / "fixtures" / "wordpress_post.html").read_bytes()
TINY = b"<html><head><title>Login</title></head><body><form>Sign in <input name=u></form></body></html>"


async def _article(request: web.Request) -> web.Response:
    return web.Response(body=PAGE, content_type="text/html", charset="utf-8")


async def _huge_declared(request: web.Request) -> web.Response:
    return web.Response(body=b"x" * 300_000, content_type="text/html")


async def _huge_streamed(request: web.Request) -> web.StreamResponse:
    response = web.StreamResponse(headers={"Content-Type": "text/html"})
    await response.prepare(request)  # chunked: no Content-Length gives it away
    try:
        for _ in range(100):
            await response.write(b"<p>" + b"word " * 2000 + b"</p>")
    except ConnectionResetError:
        pass  # the client hung up, as it should
    return response


async def _tiny(request: web.Request) -> web.Response:
    return web.Response(body=TINY, content_type="text/html")


async def _pdf(request: web.Request) -> web.Response:
    return web.Response(body=b"%PDF-1.7 ...", content_type="application/pdf")


async def _slow(request: web.Request) -> web.Response:
    await asyncio.sleep(5)
    return web.Response(body=PAGE, content_type="text/html")


async def _missing(request: web.Request) -> web.Response:
    return web.Response(status=404, text="not found")


async def _redirect(request: web.Request) -> web.Response:
    raise web.HTTPFound("/article")


async def _loop(request: web.Request) -> web.Response:
    raise web.HTTPFound("/loop")


def news_site() -> web.Application:
    """``/article`` (also ``/news/council-budget``), ``/huge-declared``, ``/huge-streamed``, ``/tiny``,
    ``/doc.pdf``, ``/slow``, ``/missing``, ``/redirect`` (to /article), ``/loop`` (to itself)."""
    app = web.Application()
    app.add_routes([
        web.get("/article", _article), web.get("/news/council-budget", _article),
        web.get("/huge-declared", _huge_declared), web.get("/huge-streamed", _huge_streamed),
        web.get("/tiny", _tiny), web.get("/doc.pdf", _pdf), web.get("/slow", _slow), web.get("/missing", _missing),
        web.get("/redirect", _redirect), web.get("/loop", _loop),
    ])
    return app
