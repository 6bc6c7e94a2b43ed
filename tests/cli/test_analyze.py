"""``modbot analyze``: every input format, one output line per input, bad inputs never stop a run."""

from __future__ import annotations

import json
import tracemalloc
from pathlib import Path

import pytest

from bot.cli import main
from bot.cli.analyze import _chunks
from bot.cli.inputs import InputRecord, iter_records

FAST = ["--lexicon-only", "--no-toxicity", "--format", "jsonl"]
SEED_COMMENT = "This is what happens when you elect democrats… (name a war)"


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[dict], str]:
    code = main(["analyze", *argv])
    out, err = capsys.readouterr()
    return code, [json.loads(line) for line in out.splitlines() if line.strip()], err


def test_text_file_with_bad_lines(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "msgs.txt"
    path.write_bytes(
        b"I voted for the Democrats this time\n"
        b"\n"
        + ("x" * 50_000).encode() + b"\n"
        + b"bad \x00\x01 bytes \xff\xfe here\n"
        + SEED_COMMENT.encode() + b"\r\n"
    )
    code, lines, err = _run(capsys, str(path), *FAST)
    assert code == 0
    assert [ln["id"] for ln in lines] == [f"line-{i}" for i in range(1, 6)]
    assert lines[0]["flagged"] is False
    assert set(lines[0]["scores"]) == {"toxicity", "inflammatory", "partisan", "profanity"}
    assert lines[0]["scores"]["toxicity"] is None
    assert lines[1]["error"] == "empty message"
    assert "too long" in lines[2]["error"] and "50,000" in lines[2]["error"]
    assert "binary" in lines[3]["error"]
    assert lines[4]["flagged"] and "partisan" in lines[4]["labels"]
    assert lines[4]["evidence"][0]["sentence"].startswith("This is what happens")
    assert all(0 <= v <= 1 for ln in lines if "scores" in ln for v in ln["scores"].values() if v is not None)
    assert "line-2: empty message" in err and "5 inputs" in err
    assert "\ranalyzed" not in err  # no progress bar when stderr is not a terminal


def test_jsonl_with_malformed_lines(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "msgs.jsonl"
    rows = [
        json.dumps({"id": "a1", "text": SEED_COMMENT, "parent": "p0"}),
        "{not json",
        json.dumps(["a", "list"]),
        json.dumps({"id": "a4"}),
        json.dumps({"id": "a5", "text": 42}),
        json.dumps({"id": 6, "text": "fine message"}),
    ]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    code, lines, _ = _run(capsys, str(path), *FAST)
    assert code == 0 and len(lines) == 6
    assert lines[0]["id"] == "a1" and lines[0]["parent"] == "p0" and lines[0]["flagged"]
    assert "malformed JSON" in lines[1]["error"] and lines[1]["id"] == "line-2"
    assert "JSON object" in lines[2]["error"]
    assert "missing" in lines[3]["error"] and lines[3]["id"] == "a4"
    assert "int" in lines[4]["error"]
    assert lines[5] == {**lines[5], "id": "6", "flagged": False}


def test_csv_text_column_and_wrong_column(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "msgs.csv"
    path.write_text('id,body,other\nm1,"hello, world",x\nm2,"Libs are vermin, shoot them",y\n', encoding="utf-8")
    code, lines, _ = _run(capsys, str(path), "--text-column", "body", *FAST)
    assert code == 0 and [ln["id"] for ln in lines] == ["m1", "m2"]
    assert lines[1]["flagged"]
    code, lines, err = _run(capsys, str(path), "--text-column", "message", *FAST)
    assert code == 2 and lines == []
    assert "'message' not found" in err and "id, body, other" in err


def test_discord_chat_exporter_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    export = {
        "guild": {"id": "1", "name": "News"},
        "channel": {"id": "2", "name": "politics", "topic": "a \"messages\" word in a topic"},
        "dateRange": {"after": None, "before": None},
        "messages": [
            {"id": "100", "type": "Default", "timestamp": "2024-01-01T00:00:00+00:00", "content": "Good article.",
             "author": {"id": "9", "name": "ann"}},
            {"id": "101", "type": "Reply", "timestamp": "2024-01-01T00:01:00+00:00", "content": SEED_COMMENT,
             "author": {"id": "8", "name": "scott"}, "reference": {"messageId": "100"}},
            {"id": "102", "type": "Default", "timestamp": "2024-01-01T00:02:00+00:00", "content": "",
             "author": {"id": "7", "name": "img"}, "attachments": [{"url": "x.png"}]},
        ],
        "messageCount": 3,
    }
    path = tmp_path / "export.json"
    path.write_text(json.dumps(export, indent=2), encoding="utf-8")
    code, lines, _ = _run(capsys, str(path), *FAST)
    assert code == 0 and [ln["id"] for ln in lines] == ["100", "101", "102"]
    assert lines[1]["parent"] == "100" and lines[1]["flagged"]
    assert lines[2]["error"] == "empty message"


def test_truncated_discord_export_reports_and_keeps_results(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "cut.json"
    path.write_text('{"guild": {}, "messages": [{"id": "1", "content": "hi there"}, {"id": "2", "cont',
                    encoding="utf-8")
    code, lines, _ = _run(capsys, str(path), *FAST)
    assert code == 0 and lines[0]["id"] == "1" and "malformed JSON" in lines[1]["error"]


def test_not_a_discord_export(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "other.json"
    path.write_text('{"items": [1, 2]}', encoding="utf-8")
    code, _, err = _run(capsys, str(path), *FAST)
    assert code == 1 and "no 'messages' array" in err


def test_binary_and_empty_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    binary = tmp_path / "blob.txt"
    binary.write_bytes(bytes(range(256)) * 40)
    code, lines, err = _run(capsys, str(binary), *FAST)
    assert code == 1 and lines == [] and "binary" in err
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    code, lines, err = _run(capsys, str(empty), *FAST)
    assert code == 0 and lines == [] and "empty file" in err
    code, _, err = _run(capsys, str(tmp_path / "missing.txt"), *FAST)
    assert code == 1 and "no such file" in err


def test_out_file_and_text_format(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "in.txt"
    src.write_text("hello\n" + SEED_COMMENT + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert main(["analyze", str(src), "--out", str(out), "--lexicon-only", "--no-toxicity"]) == 0
    assert len(out.read_text(encoding="utf-8").splitlines()) == 2  # jsonl by default into a file
    assert main(["analyze", str(src), "--format", "text", "--lexicon-only", "--no-toxicity"]) == 0
    text = capsys.readouterr().out.splitlines()
    assert text[0].startswith("line-1\tok") and "FLAGGED\tpartisan" in text[1]


def test_readers_stream_in_constant_memory(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    line = "Some ordinary message about the weather and the game tonight, nothing else.\n"
    path.write_text(line * 100_000, encoding="utf-8")
    tracemalloc.start()
    count = sum(1 for _ in iter_records(path))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert count == 100_000
    assert peak < 2_000_000  # 100,000 lines are ~7.6 MB: never held at once


def test_chunks_are_lazy() -> None:
    def endless():
        n = 0
        while True:
            n += 1
            yield InputRecord(str(n), "x")

    first = next(_chunks(endless(), 256))
    assert len(first) == 256 and first[-1].id == "256"
