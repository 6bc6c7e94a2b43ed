"""bot.cli.exit_codes: one definition of the ``modbot`` exit statuses, used by every subcommand."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from bot.cli import main
from bot.cli.exit_codes import ExitCode

CLI_DIR = Path(__file__).resolve().parents[2] / "bot" / "cli"


def test_values_are_the_documented_ones() -> None:
    assert (ExitCode.OK, ExitCode.FAILED, ExitCode.USAGE, ExitCode.INTERRUPTED) == (0, 1, 2, 130)
    assert ExitCode.CONFIG is ExitCode.USAGE


def test_no_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == ExitCode.USAGE


def test_bad_config_exits_with_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[storage]\nno_such_key = 1\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["--config", str(bad), "check-config"]) == ExitCode.CONFIG


def test_no_subcommand_defines_its_own_exit_constants() -> None:
    for path in CLI_DIR.glob("*.py"):
        if path.name == "exit_codes.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                assert not node.id.startswith("EXIT_"), f"{path.name} defines {node.id}; use ExitCode"
