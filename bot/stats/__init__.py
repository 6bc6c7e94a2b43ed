"""Moderation statistics: read cases, count them (pure), and draw charts off the event loop."""

from bot.stats.summary import CaseRecord, ModStats, compute, describe, format_duration

__all__ = ["CaseRecord", "ModStats", "compute", "describe", "format_duration"]
