"""``comments:suggestscore``: suggested scores kept as feedback for evaluation (table ``api_feedback``).

Nothing is trained from it automatically. A request with ``doNotStore`` is answered and dropped.
"""

from __future__ import annotations

import json

from bot.api.wire import SuggestRequest
from bot.storage import Database
from bot.timestamps import to_iso, utcnow


def _clean(text: str | None) -> str | None:
    """Text SQLite can store: lone surrogates become U+FFFD."""
    return None if text is None else text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")


class FeedbackStore:
    """Writes ``api_feedback`` rows."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def save(self, request: SuggestRequest, key_name: str) -> int:
        """Store one suggestion; returns its row id."""
        rows = await self._db.returning(
            "INSERT INTO api_feedback (key_name, comment_text, scores_json, languages_json, community_id, "
            "session_id, client_token, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            (key_name, _clean(request.text), json.dumps(request.scores), json.dumps(list(request.languages)),
             _clean(request.community_id), _clean(request.session_id), _clean(request.client_token),
             to_iso(utcnow())),
        )
        return int(rows[0][0])

    async def count(self) -> int:
        """How many suggestions are stored."""
        row = await self._db.fetchone("SELECT COUNT(*) FROM api_feedback")
        return int(row[0]) if row else 0
