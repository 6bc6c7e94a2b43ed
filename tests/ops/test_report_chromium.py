"""The chat-export report opened in headless Chromium: it renders, lists the flagged rows, and nothing executes.

Needs Debian's ``chromium`` (``.ci/run`` installs it when it can); skipped with a reason only when no Chromium
binary exists at all.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image
from report_fixtures import flagged_ids, run_analyze, write_export

BINARIES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
CHROMIUM = next((found for name in BINARIES if (found := shutil.which(name))), None)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None, reason="no Chromium binary on PATH (apt-get install chromium)"),
]


def chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [
        str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
        "--disable-extensions", f"--user-data-dir={tmp_path / 'profile'}", *args,
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    folder = tmp_path_factory.mktemp("chromium")
    export = write_export(folder / "export.json")
    out, jsonl = folder / "report.html", folder / "results.jsonl"
    assert run_analyze(export, out, jsonl) == 0
    return out, flagged_ids(jsonl)


def test_report_dom_in_chromium(report: tuple[Path, list[str]], tmp_path: Path) -> None:
    path, ids = report
    result = chromium(tmp_path, "--dump-dom", path.resolve().as_uri())
    assert result.returncode == 0, result.stderr[-2000:]
    dom = result.stdout
    assert "<title>modbot report: export.json</title>" in dom  # no injected script changed it
    rows = re.findall(r'<tr class="flagged-row" id="msg-\d+" data-message-id="([^"]*)"', dom)
    assert rows == ids and len(ids) >= 3
    assert "&lt;script&gt;document.title='PWNED'&lt;/script&gt;" in dom  # shown as text, not run
    assert re.findall(r"<[a-z]+[^<>]*\son[a-z]+=", dom) == []  # no element got an event handler
    assert dom.count("<img") == 2 and "<script" not in dom and "<svg" not in dom and '<h1 id="injected"' not in dom
    assert dom.count('src="data:image/png;base64,') == 2
    assert "Thresholds used" in dom and "partisan_threshold" in dom


def test_report_screenshot_is_not_blank(report: tuple[Path, list[str]], tmp_path: Path) -> None:
    path, _ids = report
    shot = tmp_path / "shot.png"
    result = chromium(tmp_path, "--window-size=1280,2000", f"--screenshot={shot}", path.resolve().as_uri())
    assert result.returncode == 0 and shot.is_file(), result.stderr[-2000:]
    image = Image.open(io.BytesIO(shot.read_bytes())).convert("RGB")
    assert image.size == (1280, 2000)
    colours = image.getcolors(maxcolors=1 << 20) or []
    assert len(colours) > 50  # text, tables and the two charts, not a blank page
    white = max(count for count, rgb in colours if rgb == (255, 255, 255))
    assert white < 0.97 * image.size[0] * image.size[1]
