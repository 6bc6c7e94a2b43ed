"""The HTML report: escaped everywhere (no injection from message text or names), self-contained, right numbers."""

from __future__ import annotations

from datetime import UTC, date, datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest
from report_fixtures import FLAGGED_TEXTS, INJECTIONS, flagged_ids, run_analyze, write_export

from bot.analysis.config import PolicyConfig
from bot.chatreport.collect import ReportBuilder, ReportData
from bot.chatreport.export_meta import read_export_info
from bot.chatreport.html import bucket_days, highlight, render_report

ALLOWED_TAGS = {
    "html", "head", "meta", "title", "style", "body", "header", "h1", "h2", "p", "strong", "section", "table",
    "thead", "tbody", "tr", "th", "td", "figure", "img", "figcaption", "details", "summary", "span", "ul", "li",
    "div", "mark", "footer", "code",
}


class TagAudit(HTMLParser):
    """Collects every start tag and attribute of a document."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def audit(document: str) -> TagAudit:
    parser = TagAudit()
    parser.feed(document)
    return parser


@pytest.fixture(scope="module")
def analyzed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    folder = tmp_path_factory.mktemp("report")
    export = write_export(folder / "export.json")
    report, jsonl = folder / "report.html", folder / "results.jsonl"
    assert run_analyze(export, report, jsonl) == 0
    return report, jsonl, report.read_text(encoding="utf-8")


def test_cli_writes_report_with_every_flagged_message(analyzed: tuple[Path, Path, str]) -> None:
    _report, jsonl, document = analyzed
    ids = flagged_ids(jsonl)
    assert len(ids) >= 3  # the hostile sample messages are flagged by patterns alone
    rows = [attrs for tag, attrs in audit(document).tags if tag == "tr" and attrs.get("class") == "flagged-row"]
    assert [attrs["data-message-id"] for attrs in rows] == ids
    assert f"Flagged messages ({len(ids)})" in document
    assert f"<td>partisan_threshold</td><td>{PolicyConfig().partisan_threshold}</td>" in document
    assert "<td>use_learned_heads</td><td>off</td>" in document  # --lexicon-only is what ran
    assert "toxicity scores are n/a" in document
    assert document.count("data:image/png;base64,") == 2  # per-day and per-channel charts, inline


def test_no_injection_from_message_text_or_names(analyzed: tuple[Path, Path, str]) -> None:
    _report, _jsonl, document = analyzed
    for payload in INJECTIONS:
        assert payload not in document
    assert "&lt;script&gt;document.title=&#x27;PWNED&#x27;&lt;/script&gt;" in document
    assert "News &lt;script&gt;alert(1)&lt;/script&gt; Guild" in document
    assert "politics&lt;img src=x&gt;" in document
    tags = audit(document).tags
    assert {tag for tag, _ in tags} <= ALLOWED_TAGS
    assert not any(name.startswith("on") for _, attrs in tags for name in attrs)
    assert not any(tag == "h1" and attrs.get("id") == "injected" for tag, attrs in tags)
    images = [attrs["src"] for tag, attrs in tags if tag == "img"]
    assert images and all(src and src.startswith("data:image/png;base64,") for src in images)


def test_report_is_self_contained(analyzed: tuple[Path, Path, str]) -> None:
    _report, _jsonl, document = analyzed
    assert "http://" not in document and "https://" not in document
    assert "Content-Security-Policy" in document and "default-src 'none'" in document
    assert "<link" not in document and "<script" not in document


def test_highlight_escapes_and_marks_evidence() -> None:
    text = "<b>x</b> all republicans are traitors"
    start = text.index("all")
    out = highlight(text, [{"start": start, "end": len(text)}, {"start": start + 4, "end": start + 15},
                           {"start": 999, "end": 1000}])
    assert out == "&lt;b&gt;x&lt;/b&gt; <mark>all republicans are traitors</mark>"
    assert highlight("a < b", []) == "a &lt; b"


def test_report_without_export_metadata(tmp_path: Path) -> None:
    builder = ReportBuilder(tmp_path / "lines.txt", discord_export=False)
    builder.add("line-1", "hello", {"flagged": False, "scores": {"toxicity": 0.1}})
    builder.add("line-2", FLAGGED_TEXTS[0], {"flagged": True, "labels": ["threat"], "severity": "high",
                                             "scores": {"toxicity": 0.9}, "reasons": ["r"], "evidence": []})
    builder.add("line-3", None, {"id": "line-3", "error": "empty message"})
    data = builder.data({"partisan_threshold": 0.7})
    assert (data.analyzed, data.flagged, data.errors) == (2, 1, 1)
    document = render_report(data, generated_at=datetime(2024, 1, 1, tzinfo=UTC))
    assert "No message dates in this input" in document
    assert "generated 2024-01-01 00:00 UTC" in document
    assert document.count("class=\"flagged-row\"") == 1


def test_row_cap_says_so(tmp_path: Path) -> None:
    builder = ReportBuilder(tmp_path / "lines.txt", discord_export=False, max_rows=2)
    for i in range(5):
        builder.add(f"line-{i}", f"text {i}", {"flagged": True, "labels": ["toxic"], "severity": "low",
                                               "scores": {}, "reasons": [], "evidence": []})
    document = render_report(builder.data())
    assert document.count("class=\"flagged-row\"") == 2
    assert "Showing the first 2 of 5 flagged messages" in document


def test_long_spans_are_bucketed_by_week() -> None:
    per_day = {date(2024, 1, 1): [2, 1], date(2024, 6, 30): [3, 0]}
    starts, analyzed, flagged, unit = bucket_days(per_day)
    assert unit == "week" and starts[0] == date(2024, 1, 1) and sum(analyzed) == 5 and sum(flagged) == 1
    starts, analyzed, _flagged, unit = bucket_days({date(2024, 1, 1): [1, 0], date(2024, 1, 3): [2, 2]})
    assert unit == "day" and analyzed == [1, 0, 2]


def test_export_header_names(tmp_path: Path) -> None:
    info = read_export_info(write_export(tmp_path / "e.json"))
    assert info.guild.startswith("News <script>") and info.channel == "politics<img src=x>"
    assert isinstance(ReportData(source="x").rows, list)
