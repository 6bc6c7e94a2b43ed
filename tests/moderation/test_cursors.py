"""Channel cursors only move past messages that are fully processed; the stored value never goes back."""

from __future__ import annotations

from bot.moderation.cursors import ChannelCursorRepository, CursorTracker


def test_cursor_waits_for_in_flight_messages() -> None:
    tracker = CursorTracker()
    assert tracker.safe_cursor(1) is None
    tracker.start(1, 9, 100)
    tracker.start(1, 9, 101)
    assert tracker.safe_cursor(1) == 99
    tracker.finish(1, 101)
    assert tracker.safe_cursor(1) == 99  # 100 is still being scored
    tracker.finish(1, 100)
    assert tracker.safe_cursor(1) == 101
    assert tracker.take_dirty() == [(1, 9, 101)] and tracker.take_dirty() == []


def test_catch_up_hold_pins_the_cursor_until_moved() -> None:
    tracker = CursorTracker()
    tracker.start(1, 9, 51)  # hold at stored cursor 50 + 1
    tracker.start(1, 9, 500)
    tracker.finish(1, 500)  # a live message finishes meanwhile
    assert tracker.safe_cursor(1) == 50
    tracker.move_hold(1, 9, 51, 201)  # history up to 200 processed
    assert tracker.safe_cursor(1) == 200
    tracker.finish(1, 201, processed=False)
    assert tracker.safe_cursor(1) == 500


async def test_repository_never_moves_backwards(db) -> None:
    repo = ChannelCursorRepository(db)
    await repo.advance(1, 9, 100)
    await repo.advance(1, 9, 50)
    await repo.advance_many([(1, 9, 80), (2, 9, 7)])
    assert await repo.get(1) == 100 and await repo.all() == {1: (9, 100), 2: (9, 7)}
