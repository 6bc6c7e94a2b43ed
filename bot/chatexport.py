"""Reading DiscordChatExporter JSON exports as a stream: constant memory, whatever the file size.

The ``messages`` array of an export can be gigabytes, and the ``guild``/``channel`` objects before it can be large
too, so nothing here loads the whole file. Used by ``modbot analyze``/``eval`` (``bot/cli/inputs.py``) and by the
HTML report of a run (``bot/chatreport/export_meta.py``).
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["InputFileError", "MalformedElement", "stream_array", "stream_messages"]

_CHUNK = 1 << 16


class InputFileError(Exception):
    """The file as a whole cannot be read (missing, binary, not the announced format)."""


def stream_messages(path: Path) -> Iterator[Any]:
    """The elements of an export's ``messages`` array, in order (see :func:`stream_array`)."""
    return stream_array(path, "messages")


@dataclass(frozen=True, slots=True)
class MalformedElement:
    """Stands in for the rest of the array when it cannot be decoded (truncated file, bad JSON); always last."""

    reason: str


def stream_array(path: Path, key: str) -> Iterator[Any]:
    """Yield the elements of the top-level ``key`` array of a JSON object, decoding one element at a time.

    Raises :class:`InputFileError` when the file is not a JSON object with that array; a problem inside the array
    ends the stream with one :class:`MalformedElement`.
    """
    decoder = json.JSONDecoder()
    reader = codecs.getincrementaldecoder("utf-8")("replace")
    needle = f'"{key}"'
    with path.open("rb") as fh:

        def more() -> str:
            chunk = fh.read(_CHUNK)
            return reader.decode(chunk, final=not chunk) if chunk else ""

        buf = more().lstrip("\ufeff")
        if not buf.lstrip().startswith("{"):
            raise InputFileError(f"{path}: not a DiscordChatExporter JSON export (expected a JSON object)")
        # find  "messages" : [   (the key may come after large "guild"/"channel" objects)
        while True:
            at = buf.find(needle)
            if at >= 0:
                rest = buf[at + len(needle) :].lstrip()
                while len(rest) < 2:
                    extra = more()
                    if not extra:
                        break
                    rest = (rest + extra).lstrip()
                if rest.startswith(":") and rest[1:].lstrip().startswith("["):
                    buf = rest[1:].lstrip()[1:]
                    break
                buf = buf[at + len(needle) :]
                continue
            extra = more()
            if not extra:
                raise InputFileError(f"{path}: not a DiscordChatExporter JSON export (no {key!r} array)")
            buf = buf[-len(needle) :] + extra
        pos = 0
        while True:
            while True:
                while pos < len(buf) and buf[pos] in " \t\r\n,":
                    pos += 1
                if pos < len(buf):
                    break
                extra = more()
                if not extra:
                    yield MalformedElement("export ends inside the messages array (truncated file?)")
                    return
                buf, pos = buf[pos:] + extra, 0
            if buf[pos] == "]":
                return
            while True:
                try:
                    obj, end = decoder.raw_decode(buf, pos)
                    break
                except json.JSONDecodeError as exc:
                    extra = more()
                    if not extra:
                        yield MalformedElement(f"malformed JSON in messages array: {exc.msg}")
                        return
                    buf, pos = buf[pos:] + extra, 0
            yield obj
            pos = end
