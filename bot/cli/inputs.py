"""Input readers for ``modbot analyze`` / ``modbot eval``: text lines, JSONL, CSV and DiscordChatExporter JSON.

Every reader streams (constant memory, whatever the file size) and yields one :class:`InputRecord` per input
item, in order. A bad item (empty, too long, binary, malformed JSON, not UTF-8) becomes a record with
``error`` set, so a long run never stops on it. Problems with the whole file raise :class:`InputFileError`;
a missing CSV column raises :class:`ColumnError`, which lists the columns that exist.
"""

from __future__ import annotations

import csv
import hashlib
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from bot.chatexport import InputFileError, MalformedElement, stream_messages
from bot.cli.exit_codes import ExitCode

InputFormat = Literal["text", "jsonl", "csv", "discord"]
FORMATS: tuple[str, ...] = ("auto", "text", "jsonl", "csv", "discord")
_SNIFF_BYTES = 8192


class ColumnError(InputFileError):
    """A requested CSV column does not exist; ``available`` lists the header."""

    def __init__(self, column: str, available: list[str]) -> None:
        super().__init__(f"column {column!r} not found; available columns: {', '.join(available) or '(none)'}")
        self.column = column
        self.available = available


def input_failure(command: str, path: object, exc: InputFileError) -> ExitCode:
    """Say why an input file cannot be read (on stderr) and pick the exit code: a missing or wrong column is a usage
    error (the path is named), an unreadable or malformed file a failure (its message names the file)."""
    if isinstance(exc, ColumnError):
        print(f"{command}: {path}: {exc}", file=sys.stderr)
        return ExitCode.USAGE
    print(f"{command}: {exc}", file=sys.stderr)
    return ExitCode.FAILED


@dataclass(frozen=True, slots=True)
class InputRecord:
    """One input item. ``text`` is None when ``error`` says why the item cannot be analyzed."""

    id: str
    text: str | None
    parent: str | None = None
    error: str | None = None
    label: str | None = None  # eval only: the raw label cell


def text_id(text: str) -> str:
    """Stable id of a text: the first 16 hex digits of SHA-1 over its UTF-8 bytes (used by data/splits/)."""
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def detect_format(path: Path, explicit: str = "auto") -> InputFormat:
    """The format of ``path``: explicit if given, else by extension (.jsonl, .csv/.tsv, .json), else text."""
    if explicit != "auto":
        return explicit  # type: ignore[return-value]
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    if suffix in (".csv", ".tsv"):
        return "csv"
    if suffix == ".json":
        return "discord"
    return "text"


def check_item(text: str, max_chars: int) -> str | None:
    """Why ``text`` cannot be analyzed (empty, too long, binary), or None when it can."""
    if "\x00" in text or any(0xD800 <= ord(ch) <= 0xDFFF for ch in text):
        return "binary data (NUL bytes or invalid UTF-8)"
    if not text.strip():
        return "empty message"
    if len(text) > max_chars:
        return f"message too long ({len(text):,} characters; the limit is {max_chars:,})"
    return None


def _sniff_binary(path: Path) -> None:
    try:
        with path.open("rb") as fh:
            head = fh.read(_SNIFF_BYTES)
    except OSError as exc:
        raise InputFileError(f"cannot read {path}: {exc.strerror or exc}") from exc
    if not head:
        return
    if b"\x00" in head:
        raise InputFileError(f"{path} looks like a binary file (NUL bytes); expected UTF-8 text")
    bad = head.decode("utf-8", "replace").count("\ufffd")
    if bad > max(8, len(head) // 20):
        raise InputFileError(f"{path} looks like a binary file (not UTF-8 text)")


def iter_records(
    path: Path,
    *,
    fmt: str = "auto",
    text_column: str | None = None,
    id_column: str | None = None,
    label_column: str | None = None,
    max_chars: int = 10_000,
) -> Iterator[InputRecord]:
    """Stream the records of ``path`` (``-`` for stdin, text or JSONL only)."""
    kind = detect_format(path, fmt) if str(path) != "-" else ("jsonl" if fmt == "jsonl" else "text")
    if str(path) != "-":
        if not path.exists():
            raise InputFileError(f"{path}: no such file")
        if path.is_dir():
            raise InputFileError(f"{path} is a directory")
        _sniff_binary(path)
    if kind == "text":
        return _iter_text(path, max_chars)
    if kind == "jsonl":
        return _iter_jsonl(path, max_chars, text_column or "text", id_column or "id", label_column)
    if kind == "csv":
        return _iter_csv(path, max_chars, text_column, id_column, label_column)
    return _iter_discord(path, max_chars)


def _raw_lines(path: Path) -> Iterator[bytes]:
    if str(path) == "-":
        yield from sys.stdin.buffer
        return
    with path.open("rb") as fh:
        yield from fh


def _decode(raw: bytes) -> str:
    return raw.decode("utf-8", "surrogateescape").removeprefix("\ufeff").rstrip("\r\n")


def _iter_text(path: Path, max_chars: int) -> Iterator[InputRecord]:
    for n, raw in enumerate(_raw_lines(path), start=1):
        text = _decode(raw)
        error = check_item(text, max_chars)
        yield InputRecord(f"line-{n}", None if error else text, error=error)


def _iter_jsonl(
    path: Path, max_chars: int, text_key: str, id_key: str, label_key: str | None
) -> Iterator[InputRecord]:
    for n, raw in enumerate(_raw_lines(path), start=1):
        line = _decode(raw)
        rid = f"line-{n}"
        if not line.strip():
            yield InputRecord(rid, None, error="empty line")
            continue
        try:
            obj = json.loads(line)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            yield InputRecord(rid, None, error=f"malformed JSON: {exc.msg if hasattr(exc, 'msg') else exc}")
            continue
        if not isinstance(obj, dict):
            yield InputRecord(rid, None, error=f"expected a JSON object, got {type(obj).__name__}")
            continue
        if obj.get(id_key) is not None:
            rid = str(obj[id_key])
        text = obj.get(text_key)
        parent = None if obj.get("parent") is None else str(obj["parent"])
        label = None if label_key is None or obj.get(label_key) is None else str(obj[label_key])
        if not isinstance(text, str):
            got = "missing" if text is None else f"a {type(text).__name__}"
            yield InputRecord(rid, None, parent, error=f"field {text_key!r} is {got}; expected a string")
            continue
        error = check_item(text, max_chars)
        yield InputRecord(rid, None if error else text, parent, error=error, label=label)


def _iter_csv(
    path: Path, max_chars: int, text_column: str | None, id_column: str | None, label_column: str | None
) -> Iterator[InputRecord]:
    csv.field_size_limit(1 << 26)
    delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    with path.open("r", encoding="utf-8-sig", errors="surrogateescape", newline="") as fh:
        reader = csv.reader(fh, delimiter=delimiter)
        try:
            header = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise InputFileError(f"{path}: unreadable CSV header: {exc}") from exc
        column = text_column or ("text" if "text" in header else None)
        if column is None or column not in header:
            raise ColumnError(text_column or "text", header)
        for name in (id_column, label_column):
            if name is not None and name not in header:
                raise ColumnError(name, header)
        t_idx = header.index(column)
        i_idx = header.index(id_column) if id_column else (header.index("id") if "id" in header else None)
        l_idx = header.index(label_column) if label_column else None
        p_idx = header.index("parent") if "parent" in header else None
        n = 0
        while True:
            n += 1
            rid = f"row-{n}"
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield InputRecord(rid, None, error=f"malformed CSV row: {exc}")
                continue
            if len(row) <= t_idx:
                yield InputRecord(rid, None, error=f"row has {len(row)} fields; no {column!r} value")
                continue
            if i_idx is not None and len(row) > i_idx and row[i_idx]:
                rid = row[i_idx]
            text = row[t_idx]
            label = row[l_idx] if l_idx is not None and len(row) > l_idx else None
            parent = row[p_idx] or None if p_idx is not None and len(row) > p_idx else None
            error = check_item(text, max_chars)
            yield InputRecord(rid, None if error else text, parent, error=error, label=label)


def _iter_discord(path: Path, max_chars: int) -> Iterator[InputRecord]:
    """Stream the ``messages`` array of a DiscordChatExporter JSON export without loading the whole file."""
    for n, msg in enumerate(stream_messages(path), start=1):
        if isinstance(msg, MalformedElement):
            yield InputRecord(f"message-{n}", None, error=msg.reason)
            return
        if not isinstance(msg, dict):
            yield InputRecord(f"message-{n}", None, error="message is not a JSON object")
            continue
        rid = str(msg.get("id") or f"message-{n}")
        ref = msg.get("reference") if isinstance(msg.get("reference"), dict) else {}
        parent = ref.get("messageId") if ref else None
        text = msg.get("content")
        if not isinstance(text, str):
            yield InputRecord(rid, None, parent, error="message has no text content")
            continue
        error = check_item(text, max_chars)
        yield InputRecord(rid, None if error else text, None if parent is None else str(parent), error=error)
