"""The aiohttp application: Perspective's routes, the key and quota gate, body limits, errors in Perspective's
shape, and the server's lifecycle (``modbot serve``, or beside the bot with ``[api] enabled = true``).

No comment text is logged: one INFO line per request gives the route, status, time and key name (never the key).
"""

from __future__ import annotations

import contextvars
import json
import logging
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web

from bot.api.config import ApiConfig
from bot.api.discovery import document
from bot.api.errors import ApiError, exhausted, invalid, not_found
from bot.api.feedback import FeedbackStore
from bot.api.keys import KeyStore
from bot.api.quota import Gate, is_loopback
from bot.api.scoring import CommentScorer
from bot.api.wire import analyze_response, decode_body, parse_analyze, parse_suggest
from bot.storage import Database

if TYPE_CHECKING:
    from bot.analysis.analyzer import Analyzer
    from bot.analysis.engine import ScoringEngine
    from bot.settings import Settings

log = logging.getLogger(__name__)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
_CHUNK = 16384
_CALLER: contextvars.ContextVar[str] = contextvars.ContextVar("modbot_api_caller", default="-")


class StartRefused(Exception):
    """The server will not start as configured (message is operator-facing)."""


def json_response(data: dict[str, Any], status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    """JSON with Google's content type; non-ASCII and lone surrogates are escaped, so it is always valid UTF-8."""
    return web.Response(text=json.dumps(data), status=status, headers=headers,
                        content_type="application/json", charset="UTF-8")


async def read_body(request: web.Request, limit: int) -> bytes:
    """The request body, or 400 as soon as it is known to be over ``limit`` bytes (nothing more is read)."""
    too_big = invalid(f"Request payload size exceeds the limit: {limit} bytes.")
    if request.content_length is not None and request.content_length > limit:
        raise too_big
    chunks: list[bytes] = []
    size = 0
    while True:
        chunk = await request.content.read(_CHUNK)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > limit:
            raise too_big
        chunks.append(chunk)


def api_key_of(request: web.Request) -> str | None:
    """``?key=`` or the ``X-Goog-Api-Key`` header."""
    return request.query.get("key") or request.headers.get("X-Goog-Api-Key") or None


class ApiServer:
    """Routes and lifecycle. ``scorer`` holds the bot's engine and analyzer; ``db`` the keys and feedback."""

    def __init__(self, cfg: ApiConfig, scorer: CommentScorer, db: Database, *, debug_content: bool = False) -> None:
        self.cfg = cfg
        self.scorer = scorer
        self.keys = KeyStore(db)
        self.gate = Gate(self.keys, refresh_seconds=cfg.key_refresh_seconds, keyless_qps=cfg.keyless_qps,
                         loopback=is_loopback(cfg.host))
        self.feedback = FeedbackStore(db)
        self.debug_content = debug_content
        self.app = self._build_app()
        self._runner: web.AppRunner | None = None
        self.port: int | None = None
        self.in_flight = 0

    def _build_app(self) -> web.Application:
        app = web.Application(middlewares=[self._errors], client_max_size=self.cfg.max_body_bytes)
        for version in ("v1alpha1", "v1"):
            app.router.add_post(f"/{version}/comments:analyze", self.analyze)
            app.router.add_post(f"/{version}/comments:suggestscore", self.suggest)
        app.router.add_get("/healthz", self.health)
        app.router.add_get("/$discovery/rest", self.discovery)
        app.router.add_get("/discovery/v1/apis/{api}/{version}/rest", self.discovery)
        return app

    @web.middleware
    async def _errors(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        started = time.perf_counter()
        _CALLER.set("-")
        try:
            response = await handler(request)
        except ApiError as exc:
            response = json_response(exc.body(), exc.code, exc.headers)
        except web.HTTPException as exc:  # routing: 404 / 405 in Perspective's shape
            status = "NOT_FOUND" if exc.status == 404 else "INVALID_ARGUMENT" if exc.status < 500 else "INTERNAL"
            message = f"{exc.reason}: {request.method} {request.path}"
            response = json_response(ApiError(exc.status, status, message).body(), exc.status)
        except Exception:
            log.exception("api: %s %s failed", request.method, request.path)
            response = json_response(ApiError(500, "INTERNAL", "Internal error.").body(), 500)
        log.info("api %s %s -> %d in %.0f ms (%s)", request.method, request.path, response.status,
                 (time.perf_counter() - started) * 1000, _CALLER.get())
        return response

    async def _admit(self, request: web.Request) -> str:
        name = await self.gate.admit(api_key_of(request))
        _CALLER.set(name)
        return name

    async def analyze(self, request: web.Request) -> web.Response:
        """``POST /v1alpha1/comments:analyze`` (at most ``[api] max_in_flight`` at once; one more gets 429)."""
        await self._admit(request)
        if self.in_flight >= self.cfg.max_in_flight:
            raise exhausted(f"Too many requests in progress ({self.cfg.max_in_flight}); retry shortly.", 1.0)
        self.in_flight += 1
        try:
            return await self._analyze(request)
        finally:
            self.in_flight -= 1

    async def _analyze(self, request: web.Request) -> web.Response:
        data = decode_body(await read_body(request, self.cfg.max_body_bytes))
        parsed = parse_analyze(data, self.scorer.attributes, self.cfg.max_comment_bytes)
        languages, detected = self.scorer.check_languages(parsed)
        results = await self.scorer.score(parsed)
        if self.debug_content:
            log.debug("api analyze %r -> %s", parsed.text[:200], {k: v[0] for k, v in results.items()})
        return json_response(analyze_response(parsed, results, languages, detected))

    async def suggest(self, request: web.Request) -> web.Response:
        """``POST /v1alpha1/comments:suggestscore``: stored as feedback unless ``doNotStore``."""
        name = await self._admit(request)
        data = decode_body(await read_body(request, self.cfg.max_body_bytes))
        parsed = parse_suggest(data, self.scorer.attributes, self.cfg.max_comment_bytes)
        if self.cfg.store_feedback and not parsed.do_not_store:
            await self.feedback.save(parsed, name)
        out: dict[str, Any] = {"requestedLanguages": list(parsed.languages)}
        if parsed.client_token is not None:
            out["clientToken"] = parsed.client_token
        return json_response(out)

    async def health(self, request: web.Request) -> web.Response:
        """``GET /healthz`` (no key needed, nothing scored): 200 while the attributes can be scored, else 503.

        ``{"status": "ok" | "loading" | "degraded", "toxicity": <state or "off">, "inFlight": n}``."""
        engine = self.scorer.engine
        toxicity = engine.status.state.value if engine is not None else "off"
        status = "ok" if engine is None or engine.status.ok else toxicity
        return json_response({"status": status, "toxicity": toxicity, "inFlight": self.in_flight},
                             200 if status == "ok" else 503)

    async def discovery(self, request: web.Request) -> web.Response:
        """The discovery document of commentanalyzer v1alpha1 (for Google's API client)."""
        api = request.match_info.get("api", "commentanalyzer")
        version = request.match_info.get("version") or request.query.get("version", "v1alpha1")
        if api != "commentanalyzer" or version != "v1alpha1":
            raise not_found(f"No discovery document for {api} {version}; this server offers commentanalyzer "
                            "v1alpha1.")
        root = f"{request.scheme}://{request.host}/"
        return json_response(document(root))

    async def start(self) -> int:
        """Bind and serve; returns the port. Refuses a non-loopback address while no API key exists."""
        await self.gate.refresh(force=True)
        if not is_loopback(self.cfg.host) and self.gate.keyless:
            raise StartRefused(
                f"refusing to serve on {self.cfg.host}: it is not a loopback address and no API key exists, so "
                "anyone who can reach this host could use the API. Add a key first (modbot api-key add NAME) or "
                "bind 127.0.0.1 ([api] host / --host).")
        runner = web.AppRunner(self.app, access_log=None, handle_signals=False)
        await runner.setup()
        site = web.TCPSite(runner, self.cfg.host, self.cfg.port)
        try:
            await site.start()
        except OSError as exc:
            await runner.cleanup()
            raise StartRefused(f"cannot listen on {self.cfg.host}:{self.cfg.port}: {exc.strerror or exc}") from None
        self._runner = runner
        self.port = int(runner.addresses[0][1])
        mode = "keyless, loopback only" if self.gate.keyless else "API keys required"
        log.info("api: Perspective-compatible API on http://%s:%d/ (%s)", self.cfg.host, self.port, mode)
        return self.port

    async def stop(self) -> None:
        """Stop serving (the scorer's engine and analyzer belong to their owner)."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None


def build_server(settings: Settings, db: Database, engine: ScoringEngine | None,
                 analyzer: Analyzer | None) -> ApiServer:
    """An ApiServer over the given engine and analyzer (the bot's own, in one process), from ``settings``."""
    scorer = CommentScorer(engine, analyzer, variant=settings.toxicity.variant,
                           max_sentences=settings.toxicity.max_sentences)
    return ApiServer(settings.api, scorer, db, debug_content=settings.logging.debug_content)
