"""The self-contained HTML report of a ``modbot analyze`` run: summary, thresholds, charts, flagged messages.

One file, no external resources: charts are inline PNG (base64 ``data:`` URIs), styles are inline, and a
Content-Security-Policy forbids scripts and remote loads. Every piece of message text, name and id goes through
``html.escape``; message text is never placed in an attribute or a chart.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from bot import __version__
from bot.chatreport.collect import FlaggedRow, ReportData
from bot.stats.charts import daily_bars, ranking_bars

CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"
MAX_DAYS = 120
TOP_CHANNELS = 15
FLAG_COLOURS = {"flagged": "#D55E00", "not flagged": "#BBBBBB"}
STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem auto;max-width:1200px;
padding:0 1rem;color:#1b1b1b;background:#fff;line-height:1.45}
h1{margin-bottom:.2rem}h2{margin-top:2.2rem;border-bottom:1px solid #ddd;padding-bottom:.2rem}
table{border-collapse:collapse;margin:.6rem 0}th,td{border:1px solid #ddd;padding:.3rem .55rem;
text-align:left;vertical-align:top}th{background:#f4f4f4}
td.num{text-align:right;font-variant-numeric:tabular-nums}.muted{color:#666}
.message{white-space:pre-wrap;overflow-wrap:anywhere;min-width:18rem;max-width:38rem}
mark{background:#ffe08a;padding:0 .1rem}
.label{display:inline-block;background:#eef;border:1px solid #ccd;border-radius:.6rem;padding:0 .45rem;
margin:0 .2rem .2rem 0;font-size:.85em}.sev-high{color:#a40000;font-weight:600}.sev-medium{color:#a05a00}
figure{margin:1rem 0}figure img{max-width:100%;height:auto;border:1px solid #eee}
ul.reasons{margin:0;padding-left:1.1rem;font-size:.9em}
"""


def esc(value: Any) -> str:
    """HTML-escape anything (quotes too, so the result is safe in text and attribute positions)."""
    return html.escape("" if value is None else str(value), quote=True)


def _png(data: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(data).decode("ascii")


def highlight(text: str, evidence: Iterable[Mapping[str, Any]]) -> str:
    """Escaped ``text`` with each evidence span (``start``/``end`` offsets) wrapped in ``<mark>``."""
    spans = []
    for item in evidence:
        start, end = item.get("start"), item.get("end")
        if isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text):
            spans.append((start, end))
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    out, at = [], 0
    for start, end in merged:
        out.append(esc(text[at:start]))
        out.append(f"<mark>{esc(text[start:end])}</mark>")
        at = end
    out.append(esc(text[at:]))
    return "".join(out)


def bucket_days(per_day: Mapping[date, Sequence[int]]) -> tuple[list[date], list[int], list[int], str]:
    """Continuous days (or weeks when the span is long): (starts, analyzed, flagged, unit word)."""
    if not per_day:
        return [], [], [], "day"
    first, last = min(per_day), max(per_day)
    step = 7 if (last - first).days + 1 > MAX_DAYS else 1
    if step == 7:
        first -= timedelta(days=first.weekday())
    starts = []
    cursor = first
    while cursor <= last:
        starts.append(cursor)
        cursor += timedelta(days=step)
    analyzed, flagged = [0] * len(starts), [0] * len(starts)
    for day, (total, hits) in per_day.items():
        slot = (day - first).days // step
        analyzed[slot] += total
        flagged[slot] += hits
    return starts, analyzed, flagged, "week" if step == 7 else "day"


def _table(headers: Sequence[str], rows: Iterable[Sequence[Any]], numeric: Sequence[int] = ()) -> str:
    head = "".join(f"<th scope=\"col\">{esc(h)}</th>" for h in headers)
    body = []
    for row in rows:
        cells = "".join(f"<td class=\"num\">{esc(v)}</td>" if i in numeric else f"<td>{esc(v)}</td>"
                        for i, v in enumerate(row))
        body.append(f"<tr>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _charts(data: ReportData) -> str:
    parts = []
    starts, analyzed, flagged, unit = bucket_days(data.per_day)
    if starts:
        series = {"flagged": flagged, "not flagged": [a - f for a, f in zip(analyzed, flagged, strict=True)]}
        png = daily_bars(starts, series, f"Messages per {unit} (UTC)", colours=FLAG_COLOURS, keep_order=True)
        alt = f"Bar chart of analyzed and flagged messages per {unit}; the numbers are in the table below."
        rows = [(d.isoformat(), a, f) for d, a, f in zip(starts, analyzed, flagged, strict=True) if a]
        parts.append(f"<figure id=\"chart-per-day\"><img alt=\"{esc(alt)}\" src=\"{_png(png)}\">"
                     f"<figcaption>Analyzed and flagged messages per {unit}.</figcaption></figure>"
                     f"<details><summary>Numbers per {unit}</summary>"
                     f"{_table([unit.capitalize() + ' (UTC)', 'analyzed', 'flagged'], rows, (1, 2))}</details>")
    else:
        parts.append("<p class=\"muted\">No message dates in this input, so there is no per-day chart.</p>")
    channels = sorted(data.per_channel.items(), key=lambda item: (-item[1][1], -item[1][0], item[0]))
    top = [(f"#{name}" if name and not name.startswith("(") else name, counts[1])
           for name, counts in channels[:TOP_CHANNELS]]
    png = ranking_bars(top, "Flagged messages per channel")
    alt = "Bar chart of flagged messages per channel; the numbers are in the table below."
    channel_rows = [(name, counts[0], counts[1], f"{100 * counts[1] / counts[0]:.1f}%" if counts[0] else "-")
                    for name, counts in channels]
    parts.append(f"<figure id=\"chart-per-channel\"><img alt=\"{esc(alt)}\" src=\"{_png(png)}\">"
                 "<figcaption>Flagged messages per channel.</figcaption></figure>"
                 f"{_table(['channel', 'analyzed', 'flagged', 'share flagged'], channel_rows, (1, 2, 3))}")
    return "".join(parts)


def _scores(scores: Mapping[str, float | None]) -> str:
    return ", ".join(f"{name} {'n/a' if value is None else f'{float(value):.2f}'}" for name, value in scores.items())


def _row(index: int, row: FlaggedRow) -> str:
    when = row.timestamp.strftime("%Y-%m-%d %H:%M") if row.timestamp else ""
    labels = "".join(f"<span class=\"label\">{esc(label)}</span>" for label in row.labels)
    reasons = "".join(f"<li>{esc(reason)}</li>" for reason in row.reasons)
    terms = sorted({str(t) for e in row.evidence for t in (e.get("terms") or ())})
    evidence = f"<div class=\"muted\">terms: {esc(', '.join(terms))}</div>" if terms else ""
    return (
        f"<tr class=\"flagged-row\" id=\"msg-{index}\" data-message-id=\"{esc(row.id)}\">"
        f"<td class=\"num\">{index}</td><td>{esc(when)}</td><td>{esc(row.channel)}</td><td>{esc(row.author)}</td>"
        f"<td class=\"message\">{highlight(row.text, row.evidence)}{evidence}</td>"
        f"<td>{labels}</td><td class=\"sev-{esc(row.severity)}\">{esc(row.severity)}</td>"
        f"<td>{esc(_scores(row.scores))}</td><td><ul class=\"reasons\">{reasons}</ul></td></tr>"
    )


def _thresholds(data: ReportData) -> str:
    rows = [(key, "on" if value is True else "off" if value is False else value)
            for key, value in data.thresholds.items()]
    note = ("" if data.toxicity_seen else
            "<p class=\"muted\">The toxicity model was not used in this run (toxicity scores are n/a); labels "
            "came from the other detectors.</p>")
    return _table(["policy setting", "value"], rows) + note


def render_report(data: ReportData, *, generated_at: datetime | None = None) -> str:
    """The report as one HTML string."""
    when = (generated_at or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M UTC")
    place = " / ".join(p for p in (data.info.guild, data.info.category, data.info.channel) if p)
    share = f"{100 * data.flagged / data.analyzed:.1f}%" if data.analyzed else "-"
    summary = _table(["", "messages"], [("analyzed", data.analyzed), ("flagged", f"{data.flagged} ({share})"),
                                        ("could not be analyzed", data.errors)], (1,))
    labels = _table(["label", "flagged messages"], data.labels.most_common(), (1,)) if data.labels else ""
    severities = _table(["severity", "flagged messages"], sorted(data.severities.items()), (1,)) \
        if data.severities else ""
    listed = len(data.rows)
    cap = (f"<p class=\"muted\">Showing the first {listed} of {data.flagged} flagged messages; the JSONL output "
           "(<code>--format jsonl</code>) has all of them.</p>") if data.rows_truncated else ""
    head = ["#", "time (UTC)", "channel", "author", "message (evidence highlighted)", "labels", "severity", "scores",
            "reasons"]
    header_cells = "".join(f"<th scope=\"col\">{esc(h)}</th>" for h in head)
    rows = "".join(_row(i, row) for i, row in enumerate(data.rows, start=1))
    flagged = (f"<table id=\"flagged-table\"><thead><tr>{header_cells}</tr></thead><tbody>{rows}</tbody></table>"
               if rows else "<p>No message was flagged.</p>")
    return "\n".join([
        "<!DOCTYPE html>",
        "<html lang=\"en\"><head><meta charset=\"utf-8\">",
        f"<meta http-equiv=\"Content-Security-Policy\" content=\"{CSP}\">",
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">",
        f"<title>modbot report: {esc(data.source)}</title><style>{STYLE}</style></head><body>",
        "<header><h1>modbot analysis report</h1>",
        f"<p class=\"muted\">Input <strong>{esc(data.source)}</strong>{' &middot; ' + esc(place) if place else ''}"
        f" &middot; generated {esc(when)} by modbot {esc(__version__)}</p></header>",
        f"<section id=\"summary\"><h2>Summary</h2>{summary}{labels}{severities}</section>",
        f"<section id=\"thresholds\"><h2>Thresholds used</h2>{_thresholds(data)}</section>",
        f"<section id=\"charts\"><h2>Charts</h2>{_charts(data)}</section>",
        f"<section id=\"flagged\"><h2>Flagged messages ({data.flagged})</h2>{cap}{flagged}</section>",
        "<footer class=\"muted\"><p>Flags are suggestions for human review, not verdicts.</p></footer>",
        "</body></html>",
    ]) + "\n"
