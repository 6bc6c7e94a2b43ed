"""``modbot serve``: the Perspective-compatible comment analysis API, alone (no Discord connection)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys

from bot.cli.common import settings_or_exit
from bot.cli.exit_codes import ExitCode
from bot.logsetup import setup_logging
from bot.settings import Settings

log = logging.getLogger("bot.serve")


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``serve`` subcommand."""
    parser = subparsers.add_parser("serve", help="serve the Perspective-compatible comment analysis API")
    parser.add_argument("--host", help="address to bind (default: [api] host, 127.0.0.1)")
    parser.add_argument("--port", type=int, help="TCP port (default: [api] port, 8080; 0 = any free port)")
    parser.set_defaults(func=run)


async def serve(settings: Settings, stop: asyncio.Event | None = None) -> int:
    """Open the database, load the models, serve until ``stop`` is set or SIGTERM/SIGINT; returns the exit code."""
    from bot.analysis.analyzer import Analyzer
    from bot.analysis.engine import ScoringEngine
    from bot.api.server import StartRefused, build_server
    from bot.storage import Database, StorageError

    try:
        db = await Database.open(settings.storage.target, busy_timeout_ms=settings.storage.busy_timeout_ms)
    except StorageError as exc:
        print(f"modbot serve: {exc}", file=sys.stderr)
        return ExitCode.FAILED
    engine = ScoringEngine(settings.toxicity) if settings.toxicity.enabled else None
    analyzer = Analyzer(settings.policy, engine=engine)
    server = build_server(settings, db, engine, analyzer)
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        try:
            loop.add_signal_handler(sig, stop.set)
        except (NotImplementedError, RuntimeError):  # pragma: no cover - non-POSIX or not the main thread
            pass
    try:
        try:
            port = await server.start()
        except StartRefused as exc:
            print(f"modbot serve: {exc}", file=sys.stderr)
            return ExitCode.FAILED
        if engine is not None:
            status = await engine.start()
            log.info("toxicity model: %s", status.summary)
        await asyncio.to_thread(analyzer.preflight)
        print(f"modbot serve: listening on http://{settings.api.host}:{port}/", file=sys.stderr, flush=True)
        await stop.wait()
        return ExitCode.OK
    finally:
        await server.stop()
        await analyzer.close()
        if engine is not None:
            await engine.close()
        await db.close()


def run(args: argparse.Namespace) -> int:
    """Entry point for ``modbot serve``."""
    settings = settings_or_exit(args)
    if isinstance(settings, int):
        return settings
    api = settings.api.model_copy(update={k: v for k, v in (("host", args.host), ("port", args.port)) if v is not None})
    settings = settings.model_copy(update={"api": api})
    setup_logging(settings.logging.level, settings.logging.format, debug_content=settings.logging.debug_content)
    return asyncio.run(serve(settings))
