"""Injected failures for the fake's REST routes: simulated 429 buckets and one-shot error responses."""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any


@dataclass
class RateRule:
    """``limit`` requests per ``per`` seconds for each major parameter of ``route`` (e.g. each channel)."""

    route: str
    limit: int
    per: float
    retry_after: float
    is_global: bool = False
    advertise: bool = True  # send X-RateLimit-* headers so the client can pace itself
    seen: dict[str, deque[float]] = field(default_factory=dict)


@dataclass
class Injected:
    route: str
    status: int
    code: int
    message: str
    times: int
    retry_after: float | None = None  # set for injected 429s
    major: str | None = None  # only requests for this major parameter (e.g. one channel id)


@dataclass
class Hit:
    route: str
    major: str
    status: int
    retry_after: float | None


class Faults:
    """Per-route 429 simulation and error injection; ``enabled = False`` turns all of it off.

    Routes are written like ``"POST /channels/{channel_id}/messages"`` (method, space, path template after
    ``/api/v10``). Every response the rules produce is appended to ``hits``.
    """

    def __init__(self) -> None:
        self.enabled = True
        self.rules: dict[str, RateRule] = {}
        self.injected: list[Injected] = []
        self.hits: list[Hit] = []
        self.delays: dict[str, float] = {}

    def rate_limit(self, route: str, *, limit: int, per: float = 1.0, retry_after: float | None = None,
                   is_global: bool = False, advertise: bool = True) -> None:
        """Answer 429 once ``limit`` requests hit ``route`` (per major parameter) within ``per`` seconds.

        With ``advertise`` the responses carry X-RateLimit-* headers and discord.py paces itself (few or no
        429s); without, the client only learns from the 429s (``retry_after`` in the body, ``Via`` header).
        """
        self.rules[route] = RateRule(route, limit, per, retry_after if retry_after is not None else per, is_global,
                                     advertise)

    def fail_next(self, route: str, *, status: int = 429, code: int = 0, message: str = "You are being rate limited.",
                  times: int = 1, retry_after: float = 0.05, major: int | str | None = None) -> None:
        """Answer the next ``times`` requests to ``route`` with an error (a 429 with ``retry_after`` by default);
        ``major`` limits it to one major parameter (e.g. one channel id)."""
        self.injected.append(Injected(route, status, code, message, times, retry_after if status == 429 else None,
                                      None if major is None else str(major)))

    def slow(self, route: str, seconds: float) -> None:
        """Answer every request to ``route`` ``seconds`` late (0 removes the delay), e.g. slow history reads."""
        if seconds > 0:
            self.delays[route] = seconds
        else:
            self.delays.pop(route, None)

    def delay_for(self, route: str) -> float:
        """The delay set by :meth:`slow` for ``route`` (0 when none, or when faults are off)."""
        return self.delays.get(route, 0.0) if self.enabled else 0.0

    def clear(self) -> None:
        self.rules.clear()
        self.injected.clear()
        self.delays.clear()

    def check(self, route: str, major: str) -> tuple[int, dict[str, Any], dict[str, str]] | None:
        """The (status, body, headers) to answer instead of running the route, or None to run it."""
        if not self.enabled:
            return None
        for inj in self.injected:
            if inj.route == route and inj.times > 0 and inj.major in (None, major):
                inj.times -= 1
                self.hits.append(Hit(route, major, inj.status, inj.retry_after))
                if inj.status == 429:
                    return self._too_many(inj.retry_after or 0.05, False)
                return inj.status, {"message": inj.message, "code": inj.code}, {}
        rule = self.rules.get(route)
        if rule is None:
            return None
        now = time.monotonic()
        window = rule.seen.setdefault(major, deque())
        while window and now - window[0] >= rule.per:
            window.popleft()
        if len(window) >= rule.limit:
            wait = max(0.001, rule.per - (now - window[0]))
            self.hits.append(Hit(route, major, 429, wait))
            return self._too_many(round(wait, 3), rule.is_global)
        window.append(now)
        return None

    def headers_for(self, route: str, major: str) -> dict[str, str]:
        """X-RateLimit-* headers for a rule-governed route so discord.py can pace itself."""
        rule = self.rules.get(route)
        if rule is None or not self.enabled or not rule.advertise:
            return {}
        window = rule.seen.get(major) or deque()
        remaining = max(0, rule.limit - len(window))
        reset_after = rule.per - (time.monotonic() - window[0]) if window else rule.per
        return {
            "X-RateLimit-Limit": str(rule.limit), "X-RateLimit-Remaining": str(remaining),
            "X-RateLimit-Reset-After": f"{max(reset_after, 0.001):.3f}",
            "X-RateLimit-Reset": f"{time.time() + max(reset_after, 0.001):.3f}",
            "X-RateLimit-Bucket": f"fake-{abs(hash(route)) % 10**8}",
        }

    @staticmethod
    def _too_many(retry_after: float, is_global: bool) -> tuple[int, dict[str, Any], dict[str, str]]:
        body = {"message": "You are being rate limited.", "retry_after": retry_after, "global": is_global, "code": 0}
        headers = {"Via": "1.1 google", "Retry-After": str(max(1, int(retry_after + 0.999)))}
        if is_global:
            headers["X-RateLimit-Global"] = "true"
        return 429, body, headers
