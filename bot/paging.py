"""Page arithmetic for paged lists (``/queue``, ``/articles``): one rule for how many pages and which page shows."""

from __future__ import annotations

import math

__all__ = ["clamp_page", "page_count"]


def page_count(total: int, page_size: int) -> int:
    """Pages needed for ``total`` items (at least 1, so an empty list still has a page to show)."""
    return max(1, math.ceil(total / page_size))


def clamp_page(page: int, total: int, page_size: int) -> int:
    """``page`` (1-based) limited to 1..page_count."""
    return min(max(1, page), page_count(total, page_size))
