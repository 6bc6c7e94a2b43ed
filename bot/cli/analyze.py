"""``modbot analyze INPUT``: flag inflammatory / partisan / toxic messages in a file, streaming, one result per input.

INPUT is a text file (one message a line), a ``.jsonl`` of ``{"id", "text"[, "parent"]}``, a CSV
(``--text-column``) or a DiscordChatExporter JSON export. Output (``--format jsonl``) is one line per input,
in order: ``{"id", "flagged", "labels", "severity", "scores": {"toxicity", "inflammatory", "partisan"},
"evidence": [...], "reasons": [...]}``, or ``{"id", "error"}`` for an input that cannot be analyzed.
Memory stays flat: records are read, scored and written in chunks.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from bot.cli.exit_codes import ExitCode
from bot.cli.inputs import FORMATS, InputFileError, InputRecord, input_failure, iter_records

MAX_ERROR_LINES = 20


def register(subparsers: Any) -> None:
    """Add the ``analyze`` subcommand."""
    p = subparsers.add_parser("analyze", help="flag inflammatory, partisan and toxic messages in a file",
                              description=__doc__.split("\n\n")[1] if __doc__ else None)
    p.add_argument("input", type=Path, help="text file, .jsonl, .csv or DiscordChatExporter .json ('-' = stdin)")
    p.add_argument("--format", choices=("text", "jsonl"), default=None,
                   help="output format (default: text on a terminal, jsonl otherwise)")
    p.add_argument("--out", type=Path, help="write results here instead of stdout")
    p.add_argument("--input-format", choices=FORMATS, default="auto", help="override detection by extension")
    p.add_argument("--text-column", help="CSV column (or JSONL key) holding the message text (default: text)")
    p.add_argument("--id-column", help="CSV column (or JSONL key) holding the message id (default: id)")
    p.add_argument("--chunk-size", type=int, default=256, help="messages scored per batch")
    p.add_argument("--no-toxicity", action="store_true", help="do not load the toxicity model")
    p.add_argument("--lexicon-only", action="store_true", help="do not load MiniLM (patterns and lexicons only)")
    p.add_argument("--report", type=Path, metavar="HTML",
                   help="also write a self-contained HTML report (flagged messages, charts, thresholds)")
    p.set_defaults(func=run)


def _chunks(records: Iterator[InputRecord], size: int) -> Iterator[list[InputRecord]]:
    chunk: list[InputRecord] = []
    for record in records:
        chunk.append(record)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def result_line(record: InputRecord, verdict: Any) -> dict[str, Any]:
    """The JSON object written for one analyzed record."""
    data = verdict.to_dict()
    out: dict[str, Any] = {"id": record.id}
    if record.parent is not None:
        out["parent"] = record.parent
    out.update({k: data[k] for k in ("flagged", "labels", "severity", "scores", "evidence", "reasons")})
    return out


def format_text(line: dict[str, Any]) -> str:
    """One human-readable line per result."""
    if "error" in line:
        return f"{line['id']}\tERROR\t{line['error']}"
    scores = line["scores"]
    shown = " ".join(f"{k[:3]}={'n/a' if v is None else f'{v:.2f}'}" for k, v in scores.items())
    if not line["flagged"]:
        return f"{line['id']}\tok\t{shown}"
    reason = line["reasons"][0] if line["reasons"] else ""
    return f"{line['id']}\tFLAGGED\t{','.join(line['labels'])}\t{line['severity']}\t{shown}\t{reason}"


async def build_analyzer(args: argparse.Namespace, settings: Any, *, quiet: bool = False) -> Any:
    """An Analyzer from the ``[policy]`` settings, with the toxicity engine when it loads (call in the loop
    that will use it: the engine may start background tasks)."""
    from bot.analysis.analyzer import Analyzer

    policy = settings.policy
    if getattr(args, "lexicon_only", False):
        policy = policy.merged({"use_learned_heads": False})
    engine = None
    if not getattr(args, "no_toxicity", False):
        engine, message = await load_toxicity_engine(settings)
        if message and not quiet:
            print(f"modbot: {message}", file=sys.stderr)
    return Analyzer(policy, engine=engine)


async def load_toxicity_engine(settings: Any) -> tuple[Any | None, str | None]:
    """Try the toxicity engine (bot.analysis.engine); returns (engine or None, message for stderr or None)."""
    degraded = "toxicity model unavailable ({}); toxicity scores are null, other detectors still run"
    if not getattr(settings.toxicity, "enabled", True):
        return None, degraded.format("disabled in [toxicity]")
    try:
        from bot.analysis import engine as engine_mod
    except ImportError as exc:
        return None, degraded.format(f"no engine module: {exc}")
    try:
        factory = getattr(engine_mod, "build_engine", None) or engine_mod.ScoringEngine
        engine = factory(settings.toxicity)
        starter = getattr(engine, "start", None) or getattr(engine, "load", None)
        if starter is not None:
            started = starter()
            if asyncio.iscoroutine(started):
                await started
    except Exception as exc:
        return None, degraded.format(f"{type(exc).__name__}: {exc}")
    status = getattr(engine, "status", None)
    if getattr(status, "ok", True) is False:
        return engine, degraded.format(str(status))
    return engine, None


async def close_quietly(obj: Any) -> None:
    """Await ``obj.close()`` when it exists; errors are ignored (end of a CLI run)."""
    closer = getattr(obj, "close", None)
    if closer is None:
        return
    try:
        result = closer()
        if asyncio.iscoroutine(result):
            await result
    except Exception:  # noqa: S110 - best effort at exit
        pass


def _progress(done: int, started: float, final: bool = False) -> None:
    rate = done / max(time.monotonic() - started, 1e-6)
    end = "\n" if final else ""
    print(f"\ranalyzed {done:,} messages ({rate:,.0f}/s)", end=end, file=sys.stderr, flush=True)


def run(args: argparse.Namespace) -> int:
    """Entry point of ``modbot analyze``."""
    from bot.cli.common import settings_or_exit

    settings = settings_or_exit(args)
    if isinstance(settings, int):
        return settings
    try:
        records = iter_records(args.input, fmt=args.input_format, text_column=args.text_column,
                               id_column=args.id_column, max_chars=settings.policy.max_message_chars)
        first = next(records, None)
    except InputFileError as exc:
        return input_failure("modbot analyze", args.input, exc)
    if first is None:
        print(f"modbot analyze: {args.input}: no input (empty file)", file=sys.stderr)
        return ExitCode.OK
    fmt = args.format or ("text" if args.out is None and sys.stdout.isatty() else "jsonl")
    out: TextIO = args.out.open("w", encoding="utf-8") if args.out else sys.stdout
    try:
        return asyncio.run(_analyze_stream(_prepend(first, records), settings, out, fmt, args))
    except InputFileError as exc:  # raised mid-stream (e.g. a truncated export): results so far are written
        print(f"modbot analyze: {exc}", file=sys.stderr)
        return ExitCode.FAILED
    finally:
        if args.out:
            out.close()


def _report_builder(args: argparse.Namespace) -> Any:
    """A :class:`bot.chatreport.ReportBuilder` when ``--report`` was given (times and channels from exports)."""
    if getattr(args, "report", None) is None:
        return None
    from bot.chatreport import ReportBuilder
    from bot.cli.inputs import detect_format

    export = str(args.input) != "-" and detect_format(args.input, args.input_format) == "discord"
    return ReportBuilder(args.input, discord_export=export)


def _prepend(first: InputRecord, rest: Iterator[InputRecord]) -> Iterator[InputRecord]:
    yield first
    yield from rest


async def _analyze_stream(records: Iterator[InputRecord], settings: Any, out: TextIO, fmt: str,
                          args: argparse.Namespace) -> int:
    analyzer = await build_analyzer(args, settings)
    report = _report_builder(args)
    show_progress = sys.stderr.isatty()
    started, done, errors, flagged = time.monotonic(), 0, 0, 0
    try:
        for chunk in _chunks(records, max(1, args.chunk_size)):
            good = [r for r in chunk if r.text is not None]
            verdicts = await analyzer.analyze([r.text for r in good]) if good else []
            by_id = {id(r): v for r, v in zip(good, verdicts, strict=True)}
            for record in chunk:
                if record.text is None:
                    errors += 1
                    line: dict[str, Any] = {"id": record.id, "error": record.error}
                    if errors <= MAX_ERROR_LINES:
                        print(f"modbot analyze: {record.id}: {record.error}", file=sys.stderr)
                else:
                    line = result_line(record, by_id[id(record)])
                    flagged += bool(line["flagged"])
                if report is not None:
                    report.add(record.id, record.text, line)
                out.write((json.dumps(line, ensure_ascii=False) if fmt == "jsonl" else format_text(line)) + "\n")
            out.flush()
            done += len(chunk)
            if show_progress:
                _progress(done, started)
    finally:
        await close_quietly(analyzer.engine)
    if show_progress:
        _progress(done, started, final=True)
    if report is not None:
        from bot.chatreport import write_report

        await asyncio.to_thread(write_report, report, args.report, policy=analyzer.config)
        print(f"modbot analyze: report written to {args.report}", file=sys.stderr)
    if errors > MAX_ERROR_LINES:
        print(f"modbot analyze: ... {errors - MAX_ERROR_LINES} more input errors (see the output)", file=sys.stderr)
    print(f"modbot analyze: {done:,} inputs, {flagged:,} flagged, {errors:,} errors", file=sys.stderr)
    return ExitCode.OK
