"""docs/configuration.md is generated from the settings models; this fails when it is out of date."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from bot.cli.config_docs import REGENERATE, constraints, render, toml_comments, type_name
from bot.guildconf import GUILD_KEYS
from bot.settings import DEFAULT_CONFIG, Settings

REPO = Path(__file__).resolve().parents[2]
DOC = REPO / "docs" / "configuration.md"


def test_configuration_md_is_up_to_date() -> None:
    assert DOC.is_file(), f"docs/configuration.md is missing; run `{REGENERATE}`"
    assert DOC.read_text(encoding="utf-8") == render(), (
        f"docs/configuration.md is out of date with bot/settings.py or config/default.toml; run `{REGENERATE}`"
    )


def test_every_setting_is_documented() -> None:
    text = render()
    for section, info in Settings.model_fields.items():
        assert f"## `[{section}]`" in text
        for field in info.annotation.model_fields:  # type: ignore[union-attr]
            assert f"| `{field}` |" in text, f"{section}.{field}"
            assert f"MODBOT_{section.upper()}__{field.upper()}" in text
    for key in GUILD_KEYS:
        assert f"| `{key}` |" in text


def test_descriptions_come_from_default_toml_comments() -> None:
    comments = toml_comments(DEFAULT_CONFIG)
    assert comments[("storage", "busy_timeout_ms")] == "How long a write waits for a lock, in milliseconds."
    # a commented-out key still gets its comment; consecutive keys share one
    assert comments[("moderation", "mod_channel_id")].startswith("Channel id where case cards are posted.")
    assert comments[("summaries", "medium_sentences")] == comments[("summaries", "short_sentences")]


def test_types_and_ranges_are_readable() -> None:
    fields = Settings.model_fields
    policy = fields["policy"].annotation.model_fields  # type: ignore[union-attr]
    assert type_name(policy["partisan_threshold"].annotation) == "float"
    assert constraints(policy["partisan_threshold"]) == "≥ 0, ≤ 1"
    logging_fields = fields["logging"].annotation.model_fields  # type: ignore[union-attr]
    assert type_name(logging_fields["format"].annotation) == '"text" | "json"'
    moderation = fields["moderation"].annotation.model_fields  # type: ignore[union-attr]
    assert type_name(moderation["mod_channel_id"].annotation) == "int (optional)"
    assert type_name(moderation["watched_channel_ids"].annotation) == "list of int"


def test_cli_prints_the_same_document() -> None:
    result = subprocess.run([sys.executable, "-m", "bot", "config-docs"], capture_output=True, text=True,
                            cwd=REPO, timeout=60, check=False, env={"PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr
    assert result.stdout == render()
