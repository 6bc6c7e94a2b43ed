"""Chart rendering with matplotlib's Agg canvas (no pyplot, no display; safe to call from a worker thread).

Blocking and CPU-bound: async callers run these in ``asyncio.to_thread``. Every function returns PNG or SVG
bytes; colours are the Okabe-Ito colour-blind-safe palette.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from datetime import date

from matplotlib.axes import Axes
from matplotlib.axis import Axis
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from bot.stats.summary import DECISION_NAMES, ModStats, channel_label, format_duration, series_order

PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000", "#999999")
DECISION_COLOURS = {
    "pending": "#999999", "escalated": "#CC79A7", "approved": "#009E73", "removed": "#D55E00",
    "warned": "#E69F00", "timed_out": "#0072B2",
}
MAX_SERIES = 8


def _new_figure(width: float, height: float) -> Figure:
    figure = Figure(figsize=(width, height), dpi=100, layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def _encode(figure: Figure, fmt: str = "png") -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format=fmt, metadata={"Software": "modbot"} if fmt == "png" else None)
    return buffer.getvalue()


def _clip(text: str, limit: int = 28) -> str:
    """Plain, short label text (no mathtext: ``$`` is escaped)."""
    text = text.replace("$", r"\$")
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def day_ticks(days: Sequence[date]) -> tuple[list[int], list[str]]:
    """At most ~15 readable ``MM-DD`` tick positions for a run of days."""
    step = max(1, -(-len(days) // 15))
    positions = list(range(0, len(days), step))
    return positions, [days[i].strftime("%m-%d") for i in positions]


def stacked_bars(ax: Axes, days: Sequence[date], series: Mapping[str, Sequence[int]], title: str,
                 colours: Mapping[str, str] | None = None, names: Mapping[str, str] | None = None,
                 keep_order: bool = False) -> None:
    """Stacked daily bars, one colour per series (largest first unless ``keep_order``; the tail is "other")."""
    order = list(series) if keep_order else series_order(series)
    shown = order[:MAX_SERIES]
    data = {name: list(series[name]) for name in shown}
    if len(order) > MAX_SERIES:
        data["other"] = [sum(series[name][i] for name in order[MAX_SERIES:]) for i in range(len(days))]
    bottom = [0] * len(days)
    x = list(range(len(days)))
    for i, (name, counts) in enumerate(data.items()):
        colour = (colours or {}).get(name, PALETTE[i % len(PALETTE)])
        label = (names or {}).get(name, name)
        ax.bar(x, counts, bottom=bottom, color=colour, label=f"{_clip(label)} ({sum(counts)})", width=0.8)
        bottom = [b + c for b, c in zip(bottom, counts, strict=True)]
    positions, labels = day_ticks(days)
    ax.set_xticks(positions, labels, rotation=45, ha="right", fontsize=8)
    ax.set_xlim(-0.6, len(days) - 0.4)
    ax.set_ylabel("cases")
    ax.set_title(_clip(title, 90), loc="left", fontsize=11)
    _integer_ticks(ax.yaxis)
    ax.grid(axis="y", alpha=0.3)
    if data and any(bottom):
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
    else:
        ax.text(0.5, 0.5, "nothing to show", transform=ax.transAxes, ha="center", va="center", color="#666666")


def _integer_ticks(axis: Axis) -> None:
    """Counts get whole-number ticks (a fresh Axes' default locator is an AutoLocator, a MaxNLocator)."""
    locator = axis.get_major_locator()
    if isinstance(locator, MaxNLocator):
        locator.set_params(integer=True)


def horizontal_bars(ax: Axes, items: Sequence[tuple[str, int]], title: str, colour: str = PALETTE[0]) -> None:
    """Horizontal bars, biggest at the top, with the count printed at the end of each bar."""
    ax.set_title(title, loc="left", fontsize=11)
    if not items:
        ax.text(0.5, 0.5, "none", transform=ax.transAxes, ha="center", va="center", color="#666666")
        ax.set_xticks([])
        ax.set_yticks([])
        return
    labels = [_clip(name, 32) for name, _ in items][::-1]
    counts = [count for _, count in items][::-1]
    bars = ax.barh(range(len(items)), counts, color=colour)
    ax.set_yticks(range(len(items)), labels, fontsize=9)
    ax.bar_label(bars, padding=3, fontsize=8)
    _integer_ticks(ax.xaxis)
    ax.set_xlim(0, max(counts) * 1.15 + 0.5)
    ax.grid(axis="x", alpha=0.3)


def modstats_png(stats: ModStats, channel_names: Mapping[int, str] | None = None, *, title: str = "") -> bytes:
    """The ``/modstats`` chart: cases per day by label, by decision, and the top channels."""
    names = channel_names or {}
    figure = _new_figure(10, 10)
    label_ax, decision_ax, channel_ax = figure.subplots(3, 1, height_ratios=[3, 3, 2])
    heading = title or f"Moderation cases, last {len(stats.days)} days"
    figure.suptitle(
        f"{_clip(heading, 80)}: {stats.total} cases; median time to a decision "
        f"{format_duration(stats.median_decision_seconds)} ({stats.decided} decided)",
        fontsize=12,
    )
    stacked_bars(label_ax, stats.days, stats.by_label, "Cases per day by label (a case may have several)")
    stacked_bars(decision_ax, stats.days, stats.by_decision, "Cases per day by decision",
                 colours=DECISION_COLOURS, names=DECISION_NAMES, keep_order=True)
    top = [(channel_label(cid, names), count) for cid, count in stats.top_channels]
    horizontal_bars(channel_ax, top, "Top channels")
    return _encode(figure)


def daily_bars(days: Sequence[date], series: Mapping[str, Sequence[int]], title: str, *, fmt: str = "png",
               ylabel: str = "messages", colours: Mapping[str, str] | None = None, keep_order: bool = False) -> bytes:
    """A stand-alone stacked daily bar chart (PNG or SVG bytes)."""
    figure = _new_figure(9, 3.6)
    ax = figure.subplots()
    stacked_bars(ax, days, series, title, colours=colours, keep_order=keep_order)
    ax.set_ylabel(ylabel)
    return _encode(figure, fmt)


def ranking_bars(items: Sequence[tuple[str, int]], title: str, *, fmt: str = "png") -> bytes:
    """A stand-alone horizontal ranking chart (PNG or SVG bytes)."""
    figure = _new_figure(9, 1.2 + 0.35 * max(len(items), 1))
    horizontal_bars(figure.subplots(), items, title)
    return _encode(figure, fmt)
