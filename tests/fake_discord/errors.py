"""Discord-shaped API errors raised by the fake's routes and turned into JSON responses."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# Error codes that signal a bug in the bot (not a condition it is expected to handle): they fail the test.
PROTOCOL_ERROR_CODES = {
    50035,  # Invalid Form Body (Discord limits, malformed payloads)
    50006,  # Cannot send an empty message
    50109,  # The request body contains invalid JSON (here: a lone UTF-16 surrogate the bot did not sanitize)
    40060,  # Interaction has already been acknowledged
    10062,  # Unknown interaction (acknowledged too late)
    10015,  # Unknown webhook (followup before acknowledging)
}


class ApiError(Exception):
    """An error response: HTTP ``status`` with Discord's ``code``, ``message`` and optional ``errors`` tree."""

    def __init__(self, status: int, code: int, message: str, *, errors: dict[str, Any] | None = None,
                 detail: str | None = None) -> None:
        super().__init__(f"{status} {code} {message}" + (f" ({detail})" if detail else ""))
        self.status = status
        self.code = code
        self.message = message
        self.errors = errors
        self.detail = detail

    def body(self) -> dict[str, Any]:
        data: dict[str, Any] = {"message": self.message, "code": self.code}
        if self.errors:
            data["errors"] = self.errors
        return data


def not_found(what: str, code: int) -> ApiError:
    return ApiError(404, code, f"Unknown {what}")


def unknown_message() -> ApiError:
    return not_found("Message", 10008)


def unknown_channel() -> ApiError:
    return not_found("Channel", 10003)


def unknown_member() -> ApiError:
    return not_found("Member", 10007)


def unknown_user() -> ApiError:
    return not_found("User", 10013)


def unknown_guild() -> ApiError:
    return not_found("Guild", 10004)


@dataclass
class FieldError:
    """One invalid field: ``path`` like ``embeds.0.description``; ``code`` like ``BASE_TYPE_MAX_LENGTH``."""

    path: str
    code: str
    message: str


def invalid_form_body(problems: list[FieldError]) -> ApiError:
    """Discord's 50035 with the nested ``errors`` tree discord.py flattens into its exception text."""
    tree: dict[str, Any] = {}
    for problem in problems:
        node = tree
        for part in problem.path.split("."):
            node = node.setdefault(part, {})
        node.setdefault("_errors", []).append({"code": problem.code, "message": problem.message})
    detail = "; ".join(f"{p.path}: {p.message}" for p in problems)
    return ApiError(400, 50035, "Invalid Form Body", errors=tree, detail=detail)
