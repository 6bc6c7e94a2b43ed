"""What a report needs from a DiscordChatExporter JSON export besides the text: guild/channel names, per-message
time, author and channel, streamed in export order (constant memory, like ``modbot analyze`` itself)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.chatexport import stream_messages
from bot.timestamps import try_parse_iso

HEAD_BYTES = 1 << 16


@dataclass(frozen=True)
class ExportInfo:
    """Names from the export header (empty strings when absent)."""

    guild: str = ""
    channel: str = ""
    category: str = ""


@dataclass(frozen=True)
class MessageMeta:
    """One message's place and time (``None``/empty when the export does not say)."""

    id: str
    timestamp: datetime | None
    author: str
    channel: str


def _object_after(text: str, key: str) -> dict[str, Any]:
    """The JSON object value of the first top-level-looking ``"key":`` in ``text`` (empty dict if none)."""
    decoder = json.JSONDecoder()
    at = text.find(f'"{key}"')
    while at >= 0:
        rest = text[at + len(key) + 2 :].lstrip()
        if rest.startswith(":"):
            try:
                value, _ = decoder.raw_decode(rest[1:].lstrip())
            except json.JSONDecodeError:
                return {}
            return value if isinstance(value, dict) else {}
        at = text.find(f'"{key}"', at + 1)
    return {}


def read_export_info(path: Path) -> ExportInfo:
    """Guild and channel names from the start of the export (DiscordChatExporter writes them before messages)."""
    try:
        with path.open("rb") as fh:
            head = fh.read(HEAD_BYTES).decode("utf-8", "replace")
    except OSError:
        return ExportInfo()
    head = head.split('"messages"', 1)[0]
    guild = _object_after(head, "guild")
    channel = _object_after(head, "channel")
    return ExportInfo(str(guild.get("name") or ""), str(channel.get("name") or ""), str(channel.get("category") or ""))


def _author(message: dict[str, Any]) -> str:
    author = message.get("author")
    if not isinstance(author, dict):
        return ""
    return str(author.get("nickname") or author.get("name") or "")


def iter_message_meta(path: Path, default_channel: str = "") -> Iterator[MessageMeta | None]:
    """One item per element of the export's ``messages`` array, in order (None for a non-object element)."""
    for n, message in enumerate(stream_messages(path), start=1):
        if not isinstance(message, dict):
            yield None
            continue
        channel = message.get("channel") or message.get("channelName") or default_channel
        if isinstance(channel, dict):
            channel = channel.get("name") or default_channel
        yield MessageMeta(
            id=str(message.get("id") or f"message-{n}"),
            timestamp=try_parse_iso(message.get("timestamp")),
            author=_author(message),
            channel=str(channel or ""),
        )
