"""HTML reports of ``modbot analyze`` runs (DiscordChatExporter exports): collect results, render one file.

Named ``chatreport``, not ``reports``: in this project a "report" is a member's report of a message
(``bot/moderation/reports.py``, ``cogs/reports.py``).

Used by ``modbot analyze INPUT --report out.html``::

    builder = ReportBuilder(path, discord_export=True)
    builder.add(record.id, record.text, result_line)      # for every input, in order
    write_report(builder, Path("out.html"), policy=analyzer.config)
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from bot.chatreport.collect import ReportBuilder, ReportData, thresholds_of
from bot.chatreport.html import render_report


def write_report(builder: ReportBuilder, out: Path, *, policy: Any = None) -> ReportData:
    """Render the collected report to ``out`` (written to a temporary file, then renamed into place)."""
    data = builder.data(thresholds_of(policy) if policy is not None else None)
    text = render_report(data)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, out)
    return data


__all__ = ["ReportBuilder", "ReportData", "render_report", "write_report"]
