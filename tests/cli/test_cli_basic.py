"""The ``modbot`` CLI: version, check-config (masked), run without a token, bad config exit codes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot import __version__
from bot.cli import main


def _run(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=60
    )


@pytest.fixture
def clean_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith("MODBOT_") and k != "DISCORD_TOKEN"}
    for key in list(os.environ):
        if key.startswith("MODBOT_") or key == "DISCORD_TOKEN":
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)
    return env


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert __version__ in capsys.readouterr().out


def test_check_config_masks_token(clean_env: dict[str, str], tmp_path: Path) -> None:
    env = {**clean_env, "DISCORD_TOKEN": "MTIzNDU2Nzg5MDEyMzQ1Njc4.GaBcDe.secret-value-not-to-print"}
    proc = _run(["check-config"], env, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "secret-value-not-to-print" not in proc.stdout + proc.stderr
    assert 'discord.token = "**********"' in proc.stdout


def test_run_without_token_names_the_variable(clean_env: dict[str, str], tmp_path: Path) -> None:
    proc = _run(["run"], clean_env, tmp_path)
    assert proc.returncode == 2
    assert "DISCORD_TOKEN" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_bad_config_exits_2_without_traceback(clean_env: dict[str, str], tmp_path: Path) -> None:
    env = {**clean_env, "MODBOT_DISCORD__GUILD_READY_TIMEOUT": "-3", "MODBOT_STORAGE__BUSY_TIMEOUT_MS": "soon"}
    proc = _run(["check-config"], env, tmp_path)
    assert proc.returncode == 2
    assert "discord.guild_ready_timeout = '-3'" in proc.stderr
    assert "storage.busy_timeout_ms = 'soon'" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_no_subcommand_prints_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert "COMMAND" in capsys.readouterr().err
