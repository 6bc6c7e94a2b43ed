"""Logging setup: text or JSON lines, with a filter that scrubs secrets (the bot token) from every record."""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Iterable
from typing import Any

# Discord bot tokens: base64(user id).timestamp.hmac
TOKEN_RE = re.compile(r"[MNO][A-Za-z\d_-]{23,27}\.[A-Za-z\d_-]{6}\.[A-Za-z\d_-]{27,40}")
REDACTED = "[REDACTED]"


class SecretFilter(logging.Filter):
    """Replaces known secrets and anything shaped like a Discord token in log messages."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s]

    def scrub(self, text: str) -> str:
        """Return ``text`` with secrets removed."""
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        return TOKEN_RE.sub(REDACTED, text)

    def filter(self, record: logging.LogRecord) -> bool:  # noqa: A003 - logging API name
        message = record.getMessage()
        scrubbed = self.scrub(message)
        if scrubbed != message:
            record.msg, record.args = scrubbed, None
        if record.exc_info and record.exc_info[1] is not None:
            text = logging.Formatter().formatException(record.exc_info)
            if self.scrub(text) != text:
                record.exc_text = self.scrub(text)
                record.exc_info = None
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message (+ exc)."""

    def format(self, record: logging.LogRecord) -> str:  # noqa: A003 - logging API name
        payload = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            payload["exc"] = self.formatException(record.exc_info)
        elif record.exc_text:
            payload["exc"] = record.exc_text
        return json.dumps(payload, ensure_ascii=False)


# Loggers whose DEBUG records carry raw payloads (message text): gateway events, REST bodies, SQL parameters.
CONTENT_LOGGERS = ("discord.gateway", "discord.http", "discord.webhook.async_", "aiosqlite", "asyncpg")
# SQLAlchemy logs every statement with its parameters at INFO (rows at DEBUG) once its logger is enabled, which a
# DEBUG root would do: kept at WARNING unless debug_content is on.
SQL_LOGGERS = ("sqlalchemy.engine", "sqlalchemy.pool")


class CurrentStderr(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is when a record is emitted, not the one of the moment it was made (a
    replaced stderr, e.g. a test's capture that has ended, would otherwise turn every later record into an error)."""

    @property
    def stream(self) -> Any:
        """The current ``sys.stderr``."""
        return sys.stderr

    @stream.setter
    def stream(self, _value: Any) -> None:
        pass


def setup_logging(
    level: str = "INFO", fmt: str = "text", secrets: Iterable[str] = (), *, debug_content: bool = False
) -> SecretFilter:
    """Configure the root logger once; returns the secret filter (tests add secrets to it).

    Unless ``debug_content`` is on, the loggers that would print message text at DEBUG stay at INFO or above.
    """
    handler = CurrentStderr()
    secret_filter = SecretFilter(secrets)
    handler.addFilter(secret_filter)
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s"))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for name in CONTENT_LOGGERS:
        logging.getLogger(name).setLevel(root.level if debug_content else max(logging.INFO, root.level))
    for name in SQL_LOGGERS:
        logging.getLogger(name).setLevel(root.level if debug_content else max(logging.WARNING, root.level))
    return secret_filter
