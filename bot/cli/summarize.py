"""``modbot summarize``: summarize files, library article ids, URLs, or JSONL batches from the command line."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

from bot.articles.config import SummariesConfig
from bot.articles.errors import ArticleError
from bot.articles.library import ArticleLibrary, looks_like_url
from bot.articles.models import Article, Summary
from bot.articles.parse import load_file, parse_text
from bot.articles.summarize import MAX_SENTENCES, summarize_article
from bot.cli.common import settings_or_exit
from bot.cli.exit_codes import ExitCode


def _sentence_count(value: str) -> int:
    count = int(value)
    if not 1 <= count <= MAX_SENTENCES:
        raise argparse.ArgumentTypeError(f"must be between 1 and {MAX_SENTENCES}")
    return count


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``summarize`` subcommand."""
    parser = subparsers.add_parser(
        "summarize",
        help="summarize articles (files, library ids, URLs, or .jsonl batches)",
        description=(
            "Summarize each TARGET: a .txt/.md/.html file, an article id from the library, an http(s) URL, "
            'or a .jsonl file ("-" = stdin) of {"id": ..., "text": ...} lines, answered with one '
            '{"id": ..., "summary": [...]} line each, in order.'
        ),
    )
    parser.add_argument("targets", nargs="+", metavar="TARGET")
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--sentences", "-n", type=_sentence_count, help="number of sentences")
    size.add_argument("--length", choices=["short", "medium", "long"], help="configured length (default: config)")
    parser.add_argument("--format", choices=["text", "json", "jsonl"], default="text")
    parser.add_argument("--backend", choices=["extractive", "openai"], help="override the configured backend")
    parser.set_defaults(func=run)


def _summary_record(summary: Summary) -> dict[str, Any]:
    return {
        "id": summary.article_id,
        "title": summary.title,
        "source": summary.source,
        "backend": summary.backend,
        "length": summary.length,
        "summary": list(summary.sentences),
    }


def _print_summary(summary: Summary, fmt: str, out: IO[str]) -> None:
    if fmt == "json":
        print(json.dumps(_summary_record(summary), ensure_ascii=False, indent=2), file=out)
    elif fmt == "jsonl":
        print(json.dumps(_summary_record(summary), ensure_ascii=False), file=out)
    else:
        print(summary.title, file=out)
        if summary.source:
            print(f"({summary.source})", file=out)
        for sentence in summary.sentences:
            print(f"• {sentence}", file=out)
        print(file=out)
    out.flush()


def _error(message: str) -> None:
    print(f"modbot summarize: {message}", file=sys.stderr, flush=True)


def _jsonl(
    lines: Iterable[str],
    name: str,
    length: str | int | None,
    config: SummariesConfig,
    runner: asyncio.Runner,
    out: IO[str],
) -> bool:
    """Answer each JSONL line in order; a bad line gets an error line and the run goes on. True if all OK."""
    ok = True
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        item_id: Any = None
        try:
            item = json.loads(line)
            if not isinstance(item, dict):
                raise ValueError("line is not a JSON object")
            item_id = item.get("id")
            text = item.get("text")
            if item_id is None or not isinstance(text, str):
                raise ValueError('line needs an "id" and a string "text"')
            article = parse_text(text, article_id=str(item_id), source=f"{name}:{number}")
            summary = runner.run(summarize_article(article, length, config=config))
            record: dict[str, Any] = {"id": item_id, "summary": list(summary.sentences)}
        except (ValueError, ArticleError) as exc:  # json.JSONDecodeError is a ValueError
            ok = False
            _error(f"{name}:{number}: {exc}")
            record = {"id": item_id, "line": number, "error": str(exc)}
        print(json.dumps(record, ensure_ascii=False), file=out, flush=True)
    return ok


def _summarize_target(
    target: str, length: str | int | None, library: ArticleLibrary, runner: asyncio.Runner
) -> Summary:
    """Summary of a file, a library id or a URL."""
    article: Article
    if looks_like_url(target):
        article = runner.run(library.add_url(target))
    elif Path(target).is_file():
        article = load_file(Path(target))
    else:
        article = library.get(target)
    return runner.run(library.summarize(article, length))


def _run(args: argparse.Namespace, config: SummariesConfig, out: IO[str]) -> int:
    length: str | int | None = args.sentences or args.length
    library: ArticleLibrary | None = None
    ok = True
    with asyncio.Runner() as runner:
        for target in args.targets:
            try:
                if target == "-":
                    ok &= _jsonl(sys.stdin, "stdin", length, config, runner, out)
                elif target.endswith(".jsonl") and Path(target).is_file():
                    with open(target, encoding="utf-8") as handle:
                        ok &= _jsonl(handle, target, length, config, runner, out)
                else:
                    if library is None:  # seeds and library_dir are loaded on first use only
                        library = ArticleLibrary.from_config(config)
                    _print_summary(_summarize_target(target, length, library, runner), args.format, out)
            except ArticleError as exc:
                ok = False
                _error(f"{target}: {exc.user_message} ({exc.detail})")
            except (OSError, UnicodeError, ValueError) as exc:
                ok = False
                _error(f"{target}: {exc}")
    return ExitCode.OK if ok else ExitCode.FAILED


def run(args: argparse.Namespace) -> int:
    """Summarize every target; exit 0 if all succeeded, 1 if any failed (the others are still printed)."""
    settings = settings_or_exit(args)
    if isinstance(settings, int):
        return settings
    config = settings.summaries
    if args.backend:
        config = config.model_copy(update={"backend": args.backend})
    return _run(args, config, sys.stdout)
