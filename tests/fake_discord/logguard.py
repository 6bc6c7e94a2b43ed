"""Collect errors discord.py and the bot only log (handler exceptions) so a test can fail on them."""

from __future__ import annotations

import logging
import traceback

WATCHED_LOGGERS = ("discord", "bot", "cogs")


class ErrorLogGuard(logging.Handler):
    """A handler on the ``discord``/``bot``/``cogs`` loggers that keeps every ERROR and "Ignoring exception" record."""

    def __init__(self, loggers: tuple[str, ...] = WATCHED_LOGGERS) -> None:
        super().__init__(level=logging.DEBUG)
        self.loggers = loggers
        self.records: list[logging.LogRecord] = []
        self.allowed = False  # a test that expects errors flips this

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.ERROR or str(record.msg).startswith("Ignoring exception"):
            self.records.append(record)

    def install(self) -> ErrorLogGuard:
        for name in self.loggers:
            logging.getLogger(name).addHandler(self)
        return self

    def uninstall(self) -> None:
        for name in self.loggers:
            logging.getLogger(name).removeHandler(self)

    def describe(self) -> str | None:
        """All collected errors with their tracebacks, or None when there are none (or they are allowed)."""
        if self.allowed or not self.records:
            return None
        parts = []
        for record in self.records:
            text = f"[{record.name}] {record.getMessage()}"
            if record.exc_info and record.exc_info[1] is not None:
                text += "\n" + "".join(traceback.format_exception(*record.exc_info))
            parts.append(text)
        return "\n".join(parts)
