"""Deployment files, checked as far as is possible without a Docker engine or systemd.

The Dockerfile is parsed instruction by instruction (continuations joined): known instructions only, the pinned
CPU-only torch, a non-root user, volumes for the database and the model weights, a HEALTHCHECK running
``modbot healthcheck``, exec-form JSON for ENTRYPOINT/CMD, and COPY sources that exist and are not excluded by
.dockerignore. compose.yaml is parsed as YAML; the systemd unit as INI.
"""

from __future__ import annotations

import configparser
import fnmatch
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
INSTRUCTIONS = {
    "FROM", "RUN", "CMD", "LABEL", "EXPOSE", "ENV", "ADD", "COPY", "ENTRYPOINT", "VOLUME", "USER", "WORKDIR",
    "ARG", "ONBUILD", "STOPSIGNAL", "HEALTHCHECK", "SHELL",
}


def dockerfile() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs with line continuations joined and comments dropped."""
    out: list[tuple[str, str]] = []
    pending = ""
    for raw in (REPO / "Dockerfile").read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if pending and line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        full = (pending + line).strip()
        pending = ""
        instruction, _, args = full.partition(" ")
        out.append((instruction.upper(), args.strip()))
    assert not pending, "the Dockerfile ends inside a line continuation"
    return out


def ignored(path: str, patterns: list[str]) -> bool:
    """.dockerignore semantics for the simple patterns used here (last match wins, ``!`` re-includes)."""
    result = False
    for pattern in patterns:
        negate = pattern.startswith("!")
        pattern = pattern.lstrip("!").strip("/")
        parts = path.split("/")
        candidates = ["/".join(parts[: i + 1]) for i in range(len(parts))]
        if any(fnmatch.fnmatch(c, pattern) or fnmatch.fnmatch(c, f"**/{pattern}") for c in candidates):
            result = not negate
    return result


def dockerignore() -> list[str]:
    lines = (REPO / ".dockerignore").read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.strip().startswith("#")]


def test_dockerfile_instructions_are_valid() -> None:
    steps = dockerfile()
    assert steps[0] == ("FROM", "python:3.11-slim")
    assert {name for name, _ in steps} <= INSTRUCTIONS
    runs = [args for name, args in steps if name == "RUN"]
    assert "pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu" in runs
    torch_at = runs.index("pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu")
    assert torch_at == 0, "torch must be installed before the project so pip never fetches a CUDA build"


def test_dockerfile_runs_unprivileged_with_volumes_and_healthcheck() -> None:
    steps = dockerfile()
    users = [args for name, args in steps if name == "USER"]
    assert users and users[-1] not in ("root", "0")
    volumes = json.loads(next(args for name, args in steps if name == "VOLUME"))
    assert volumes == ["/data", "/models"]
    env = " ".join(args for name, args in steps if name == "ENV")
    for needed in ("MODBOT_STORAGE__PATH=/data/", "TORCH_HOME=/models/", "HF_HOME=/models/"):
        assert needed in env
    health = next(args for name, args in steps if name == "HEALTHCHECK")
    options, _, command = health.partition("CMD")
    assert json.loads(command.strip())[:2] == ["modbot", "healthcheck"]
    assert re.search(r"--interval=\d+s", options) and re.search(r"--start-period=\d+s", options)
    assert json.loads(next(args for name, args in steps if name == "ENTRYPOINT")) == ["modbot"]
    assert json.loads(next(args for name, args in steps if name == "CMD")) == ["run"]


def test_copy_sources_exist_and_are_in_the_build_context() -> None:
    patterns = dockerignore()
    for name, args in dockerfile():
        if name != "COPY":
            continue
        *sources, _dest = args.split()
        for source in sources:
            assert (REPO / source).exists(), f"COPY {source}: not in the repository"
            assert not ignored(source, patterns), f"COPY {source}: excluded by .dockerignore"


def test_dockerignore_keeps_secrets_and_state_out() -> None:
    patterns = dockerignore()
    for path in (".env", "data/modbot.sqlite3", ".git/config", "tests/conftest.py", "venv/bin/python",
                 "bot/__pycache__/x.pyc"):
        assert ignored(path, patterns), path
    for path in ("bot/app.py", "cogs/about.py", "config/default.toml", "pyproject.toml", "README.md",
                 "config/example.env", "seeds/000_f672cd09ce46a324.txt"):
        assert not ignored(path, patterns), path


def test_compose_file() -> None:
    compose = yaml.safe_load((REPO / "compose.yaml").read_text(encoding="utf-8"))
    service = compose["services"]["modbot"]
    assert service["build"] == "."
    mounts = {v.split(":")[1] for v in service["volumes"]}
    assert {"/data", "/models"} <= mounts
    assert set(compose["volumes"]) == {"modbot-data", "modbot-models"}
    assert service["environment"]["DISCORD_TOKEN"].startswith("${DISCORD_TOKEN:?")  # never a literal token
    assert service["read_only"] is True and "/tmp" in service["tmpfs"]


def test_systemd_unit() -> None:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(REPO / "deploy" / "modbot.service", encoding="utf-8")
    service = parser["Service"]
    assert service["ExecStart"].endswith("modbot run")
    assert service["User"] == "modbot" and service["Restart"] == "on-failure"
    assert service["RestartPreventExitStatus"] == "2"
    assert "EnvironmentFile" in service and "StateDirectory" in service
    assert parser["Install"]["WantedBy"] == "multi-user.target"
    text = (REPO / "deploy" / "modbot.service").read_text(encoding="utf-8")
    assert "DISCORD_TOKEN=" not in text.replace("# DISCORD_TOKEN=...", "").replace("add DISCORD_TOKEN=...", "")


def test_ci_script_guards_docker_and_chromium() -> None:
    text = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert "if docker info >/dev/null 2>&1; then" in text
    assert 'echo "CI: no Docker engine, skipping docker build"' in text
    assert "apt-get install" in text and '"$(id -u)" -eq 0' in text
    assert subprocess.run(["bash", "-n", str(REPO / ".ci" / "run")], check=False).returncode == 0


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_systemd_analyze_verify(tmp_path: Path) -> None:
    result = subprocess.run(["systemd-analyze", "verify", "--man=no", str(REPO / "deploy" / "modbot.service")],
                            capture_output=True, text=True, check=False, timeout=60)
    problems = [line for line in result.stderr.splitlines()
                if "modbot.service" in line and "Unknown" in line]  # missing paths/users are fine here
    assert problems == []


def test_cluster_compose_file_runs_every_shard_once_on_postgres_and_redis() -> None:
    compose = yaml.safe_load((REPO / "deploy" / "compose.cluster.yaml").read_text(encoding="utf-8"))
    services = compose["services"]
    assert {"postgres", "redis", "worker"} <= set(services)
    gateways = {name: s for name, s in services.items() if name.startswith("gateway-")}
    env = [s["environment"] for s in [*gateways.values(), services["worker"]]]
    counts = {int(e["MODBOT_DISCORD__SHARD_COUNT"]) for e in env}
    assert len(counts) == 1  # the same total everywhere
    shard_ids = sorted(i for s in gateways.values() for i in json.loads(s["environment"]["MODBOT_DISCORD__SHARD_IDS"]))
    assert shard_ids == list(range(counts.pop()))  # every shard exactly once
    for e in env:
        assert e["MODBOT_STORAGE__URL"].startswith("postgresql+asyncpg://") and "${POSTGRES_PASSWORD:?" in \
            e["MODBOT_STORAGE__URL"]  # never a literal password
        assert e["MODBOT_CLUSTER__REDIS_URL"].startswith("redis://") and e["MODBOT_CLUSTER__SCORING"] == "workers"
        assert e["DISCORD_TOKEN"].startswith("${DISCORD_TOKEN:?")
    assert all(s["command"] == ["run"] for s in gateways.values()) and services["worker"]["command"] == ["worker"]
    assert "--appendonly" in services["redis"]["command"]  # the streams are the queue: kept on disk
    for name in (*gateways, "worker"):
        assert services[name]["read_only"] is True and services[name]["depends_on"]["postgres"]["condition"] == \
            "service_healthy"


def test_image_has_the_scale_out_clients() -> None:
    assert 'pip install ".[postgres,redis]"' in (REPO / "Dockerfile").read_text(encoding="utf-8")
