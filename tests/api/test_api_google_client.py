"""Google's own API client (google-api-python-client, the documented way to call Perspective), unchanged except
for the discovery URL, against ``modbot serve`` started as a child process with a tiny Detoxify checkpoint."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from googleapiclient import discovery, errors
from support.tiny_detoxify import cached_checkpoint

REPO = Path(__file__).resolve().parents[2]


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MODBOT_")}
    env.update(PYTHONPATH=str(REPO), HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1",
               MODBOT_STORAGE__PATH=str(tmp_path / "serve.sqlite3"),
               MODBOT_TOXICITY__CHECKPOINT=str(cached_checkpoint("original", planted=True)),
               MODBOT_TOXICITY__VARIANT="original", MODBOT_TOXICITY__RUNTIME="fp32",
               MODBOT_TOXICITY__TORCH_THREADS="1", MODBOT_POLICY__USE_LEARNED_HEADS="false",
               MODBOT_API__KEY_REFRESH_SECONDS="0")
    return env


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """(base URL, key) of a running ``modbot serve`` with one key of 20 qps."""
    env = _env(tmp_path)
    added = subprocess.run([sys.executable, "-m", "bot", "api-key", "add", "client-test", "--qps", "20"],
                           capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
    assert added.returncode == 0, added.stderr
    proc = subprocess.Popen([sys.executable, "-m", "bot", "serve", "--port", "0"], stderr=subprocess.PIPE,
                            stdout=subprocess.DEVNULL, text=True, env=env, cwd=tmp_path)
    try:
        assert proc.stderr is not None
        deadline, lines = time.monotonic() + 120, []
        while time.monotonic() < deadline:
            line = proc.stderr.readline()
            lines.append(line)
            match = re.search(r"modbot serve: listening on (http://127\.0\.0\.1:\d+)/", line)
            if match:
                break
            if not line and proc.poll() is not None:
                pytest.fail("modbot serve exited:\n" + "".join(lines))
        else:
            pytest.fail("modbot serve did not start:\n" + "".join(lines))
        yield match.group(1), added.stdout.strip()
    finally:
        proc.terminate()
        assert proc.wait(timeout=30) == 0


def _client(base: str, key: str) -> object:
    return discovery.build("commentanalyzer", "v1alpha1", developerKey=key, static_discovery=False,
                           discoveryServiceUrl=base + "/$discovery/rest?version={apiVersion}", cache_discovery=False)


def test_google_api_client_gets_perspective_answers(served: tuple[str, str]) -> None:
    base, key = served
    client = _client(base, key)
    # Perspective's documented Python sample, as written (only the discovery URL differs).
    analyze_request = {"comment": {"text": "friendly greetings from python"},
                       "requestedAttributes": {"TOXICITY": {}}}
    response = client.comments().analyze(body=analyze_request).execute()
    toxicity = response["attributeScores"]["TOXICITY"]
    assert toxicity["summaryScore"]["type"] == "PROBABILITY" and toxicity["summaryScore"]["value"] < 0.5
    assert response["languages"] == ["en"]

    rude = client.comments().analyze(body={
        "comment": {"text": "You are a stupid idiot. The council meets on Tuesday."}, "spanAnnotations": True,
        "requestedAttributes": {"INSULT": {}, "THREAT": {"scoreThreshold": 0.9}, "INFLAMMATORY": {}},
        "languages": ["en"], "clientToken": "ct-7"}).execute()
    assert set(rude["attributeScores"]) == {"INSULT", "INFLAMMATORY"} and rude["clientToken"] == "ct-7"
    spans = rude["attributeScores"]["INSULT"]["spanScores"]
    assert [(s["begin"], s["end"]) for s in spans] == [(0, 23), (24, 53)]
    assert spans[0]["score"]["value"] > 0.9 > spans[1]["score"]["value"]

    answer = client.comments().suggestscore(body={
        "comment": {"text": "friendly greetings"}, "clientToken": "fb",
        "attributeScores": {"TOXICITY": {"summaryScore": {"value": 0.0}}}}).execute()
    assert answer["clientToken"] == "fb"

    with pytest.raises(errors.HttpError) as info:
        client.comments().analyze(body={"comment": {"text": "x"}, "requestedAttributes": {"NOPE": {}}}).execute()
    assert info.value.resp.status == 400 and "Attribute NOPE does not exist" in info.value.reason

    with pytest.raises(errors.HttpError) as info:
        _client(base, "not-a-key").comments().analyze(body=analyze_request).execute()
    assert info.value.resp.status == 401
