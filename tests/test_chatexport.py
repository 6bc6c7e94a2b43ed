"""bot.chatexport: the one streaming reader of DiscordChatExporter exports (CLI inputs and the HTML report)."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

import bot.cli.inputs as cli_inputs
from bot.chatexport import InputFileError, MalformedElement, stream_array, stream_messages

ROOT = Path(__file__).resolve().parents[1]


def _export(tmp_path: Path, messages: list[object], *, guild_padding: int = 0) -> Path:
    path = tmp_path / "export.json"
    doc = {"guild": {"name": "g", "pad": "x" * guild_padding}, "channel": {"name": "c"}, "messages": messages}
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def test_streams_messages_in_order(tmp_path: Path) -> None:
    messages = [{"id": str(n), "content": f"m{n}"} for n in range(5)] + [7]
    path = _export(tmp_path, messages, guild_padding=200_000)  # the array starts after the first read chunk
    assert list(stream_messages(path)) == messages
    assert list(stream_array(path, "messages")) == messages


def test_empty_array(tmp_path: Path) -> None:
    assert list(stream_messages(_export(tmp_path, []))) == []


def test_truncated_export_ends_with_one_malformed_element(tmp_path: Path) -> None:
    path = _export(tmp_path, [{"id": "1"}, {"id": "2"}])
    path.write_text(path.read_text(encoding="utf-8")[:-5], encoding="utf-8")
    items = list(stream_messages(path))
    assert items[0] == {"id": "1"} and isinstance(items[-1], MalformedElement)
    assert all(not isinstance(item, MalformedElement) for item in items[:-1])


@pytest.mark.parametrize("text", ["[1, 2]", '{"guild": {}}'])
def test_not_an_export_raises(tmp_path: Path, text: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputFileError):
        list(stream_messages(path))


def test_cli_raises_the_same_error_class() -> None:
    assert cli_inputs.InputFileError is InputFileError


def test_html_report_does_not_import_the_cli() -> None:
    for path in (ROOT / "bot" / "chatreport").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                assert not (node.module or "").startswith("bot.cli"), f"{path.name} imports {node.module}"
