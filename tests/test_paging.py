"""bot.paging: how many pages a list has and which page shows (``/queue`` and ``/articles``)."""

from __future__ import annotations

import pytest

from bot.paging import clamp_page, page_count


@pytest.mark.parametrize(("total", "size", "pages"), [(0, 10, 1), (1, 10, 1), (10, 10, 1), (11, 10, 2), (21, 10, 3)])
def test_page_count(total: int, size: int, pages: int) -> None:
    assert page_count(total, size) == pages


@pytest.mark.parametrize(("page", "expected"), [(-3, 1), (0, 1), (1, 1), (2, 2), (3, 3), (4, 3), (99, 3)])
def test_clamp_page(page: int, expected: int) -> None:
    assert clamp_page(page, 21, 10) == expected


def test_empty_list_still_has_page_one() -> None:
    assert clamp_page(5, 0, 10) == 1
