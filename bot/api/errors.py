"""Errors in Perspective's (Google APIs') shape: ``{"error": {"code": 400, "message": ..., "status": ...}}``."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """An error answered to the client: HTTP ``code``, canonical ``status`` and a readable ``message``."""

    def __init__(self, code: int, status: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.status = status
        self.message = message
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        """The JSON body Perspective answers with."""
        return {"error": {"code": self.code, "message": self.message, "status": self.status}}


def invalid(message: str) -> ApiError:
    """400 INVALID_ARGUMENT."""
    return ApiError(400, "INVALID_ARGUMENT", message)


def not_found(message: str) -> ApiError:
    """404 NOT_FOUND."""
    return ApiError(404, "NOT_FOUND", message)


def unauthenticated(message: str) -> ApiError:
    """401 UNAUTHENTICATED (a key that is not valid)."""
    return ApiError(401, "UNAUTHENTICATED", message)


def permission_denied(message: str) -> ApiError:
    """403 PERMISSION_DENIED (no key where one is required)."""
    return ApiError(403, "PERMISSION_DENIED", message)


def exhausted(message: str, retry_after: float) -> ApiError:
    """429 RESOURCE_EXHAUSTED, with a Retry-After header in whole seconds."""
    return ApiError(429, "RESOURCE_EXHAUSTED", message, {"Retry-After": str(max(1, round(retry_after + 0.49)))})


def unavailable(message: str) -> ApiError:
    """503 UNAVAILABLE (the model is loading or could not load)."""
    return ApiError(503, "UNAVAILABLE", message)
