"""``modbot config-docs``: the configuration reference (Markdown) generated from the settings models.

Walks :class:`bot.settings.Settings` section by section: key, type (with range), default, environment variable
and description (the comment above the key in ``config/default.toml``, else the model's ``Field`` description).
``docs/configuration.md`` is this command's output; a test fails when it is out of date.
"""

from __future__ import annotations

import argparse
import json
import re
import types
import typing
from pathlib import Path
from typing import Any

import annotated_types
from pydantic import BaseModel, SecretStr
from pydantic.fields import FieldInfo

from bot.cli.exit_codes import ExitCode
from bot.guildconf.keys import GUILD_KEYS
from bot.settings import DEFAULT_CONFIG, ENV_PREFIX, Settings

REGENERATE = "modbot config-docs > docs/configuration.md"
_KEY_LINE = re.compile(r"^#?\s*([A-Za-z_][A-Za-z0-9_]*)\s*=")
_SECTION_LINE = re.compile(r"^\[([A-Za-z_][A-Za-z0-9_.]*)\]\s*$")


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``config-docs`` subcommand."""
    parser = subparsers.add_parser("config-docs", help="print the configuration reference (Markdown)")
    parser.add_argument("--out", type=Path, help="write to this file instead of stdout")
    parser.set_defaults(func=run)


def toml_comments(path: Path = DEFAULT_CONFIG) -> dict[tuple[str, str], str]:
    """(section, key) -> the comment block above the key in ``path`` (consecutive keys share one block)."""
    out: dict[tuple[str, str], str] = {}
    if not path.is_file():
        return out
    known = {name: set(_section_model(name).model_fields) for name in Settings.model_fields}
    section, last = "", ""
    block: list[str] = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        header = _SECTION_LINE.match(line)
        if header:
            section, block, last = header.group(1), [], ""
            continue
        if not line:
            block, last = [], ""
            continue
        key = _KEY_LINE.match(line)
        if key and key.group(1) in known.get(section, ()):
            if block:
                last = " ".join(block)
                block = []
            if last:
                out.setdefault((section, key.group(1)), last)
            continue
        if line.startswith("#"):
            if not block:
                last = ""
            block.append(line.lstrip("#").strip())
    return out


def _section_model(name: str) -> type[BaseModel]:
    model = Settings.model_fields[name].annotation
    assert isinstance(model, type) and issubclass(model, BaseModel)
    return model


def type_name(annotation: Any) -> str:
    """A short human type: ``float``, ``list of int``, ``"text" | "json"``, ``path (optional)``."""
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Literal:
        return " | ".join(json.dumps(a) for a in args)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in args if a is not type(None)]
        shown = " or ".join(type_name(a) for a in inner)
        return f"{shown} (optional)" if len(inner) < len(args) else shown
    if origin is list:
        return f"list of {type_name(args[0])}" if args else "list"
    if origin is dict:
        return f"table of {type_name(args[0])} → {type_name(args[1])}" if args else "table"
    names = {bool: "bool", int: "int", float: "float", str: "string", Path: "path", SecretStr: "secret string"}
    if annotation in names:
        return names[annotation]
    return getattr(annotation, "__name__", str(annotation))


def constraints(info: FieldInfo) -> str:
    """``0 – 1``, ``≥ 1`` ... from the field's metadata."""
    low = high = ""
    parts = []
    for item in info.metadata:
        if isinstance(item, annotated_types.Ge):
            low = f"≥ {item.ge}"
        elif isinstance(item, annotated_types.Gt):
            low = f"> {item.gt}"
        elif isinstance(item, annotated_types.Le):
            high = f"≤ {item.le}"
        elif isinstance(item, annotated_types.Lt):
            high = f"< {item.lt}"
        elif isinstance(item, annotated_types.MinLen):
            parts.append(f"at least {item.min_length} item(s)")
    parts[:0] = [p for p in (low, high) if p]
    return ", ".join(parts)


def default_text(info: FieldInfo) -> str:
    """The default as it would be written in TOML (``unset`` for None)."""
    value = info.get_default(call_default_factory=True)
    if value is None:
        return "unset"
    if isinstance(value, SecretStr):
        return "(secret)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Path):
        return json.dumps(str(value))
    if isinstance(value, dict) and not value:
        return "{}"
    return json.dumps(value, ensure_ascii=False)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ").strip()


def section_table(name: str, model: type[BaseModel], comments: dict[tuple[str, str], str]) -> list[str]:
    """The Markdown block of one section."""
    doc = (model.__doc__ or "").strip().split("\n\n")[0].replace("\n", " ")
    lines = [f"## `[{name}]`", "", doc, "", "| key | type | default | description |", "|---|---|---|---|"]
    for field, info in model.model_fields.items():
        kind = type_name(info.annotation)
        limits = constraints(info)
        description = comments.get((name, field)) or info.description or ""
        env = f"{ENV_PREFIX}{name.upper()}__{field.upper()}"
        extras = [f"env `{env}`"]
        if f"{name}.{field}" in GUILD_KEYS:
            extras.append("per guild: `/config`")
        text = f"{description} ({'; '.join(extras)})" if description else f"({'; '.join(extras)})"
        kind_text = f"{kind}, {limits}" if limits else kind
        lines.append(f"| `{field}` | {_cell(kind_text)} | `{_cell(default_text(info))}` | {_cell(text)} |")
    return [*lines, ""]


def guild_keys_table() -> list[str]:
    """The keys ``/config`` can change per guild."""
    lines = [
        "## Per-guild settings (`/config`)",
        "",
        "Administrators (Administrator or Manage Server) change these for their own server with `/config set`; "
        "`/config reset` returns a key to the file value above. Values are validated by the same models, stored "
        "in SQLite (`guild_settings`), audited (`audit_log`, actions `config.set` / `config.reset`) and apply "
        "without a restart. Channels and roles accept a mention or an id; `none` clears a list or an optional "
        "value.",
        "",
        "| key | value | meaning |",
        "|---|---|---|",
    ]
    for key in GUILD_KEYS.values():
        lines.append(f"| `{key.name}` | {_cell(key.kind.value)} | {_cell(key.help)} |")
    return [*lines, ""]


def render() -> str:
    """The whole reference document."""
    comments = toml_comments()
    out = [
        "# Configuration reference",
        "",
        f"<!-- Generated by `{REGENERATE}` from bot/settings.py and config/default.toml. Do not edit. -->",
        "",
        "Settings are read in this order, later wins: `config/default.toml` < the operator file "
        "(`$MODBOT_CONFIG` or `modbot --config FILE`) < `.env` < environment variables. Every key below can be "
        f"set in the operator file under its `[section]`, or as `{ENV_PREFIX}<SECTION>__<KEY>` in the "
        "environment (lists and tables as JSON, e.g. `MODBOT_MODERATION__WATCHED_CHANNEL_IDS=[123,456]`). "
        "The bot token is also accepted as plain `DISCORD_TOKEN`. Check a configuration with "
        "`modbot check-config`.",
        "",
    ]
    for name in Settings.model_fields:
        out.extend(section_table(name, _section_model(name), comments))
    out.extend(guild_keys_table())
    return "\n".join(out).rstrip("\n") + "\n"


def run(args: argparse.Namespace) -> int:
    """Print (or write) the reference."""
    text = render()
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    else:
        print(text, end="")
    return ExitCode.OK
