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


def test_pinned_channel_ignores_live_messages_until_released() -> None:
    tracker = CursorTracker()
    generation = tracker.pin(2, 9, 50)  # catch-up pending: history after 50 is unread
    assert tracker.pinned(2) == (50, generation)
    tracker.start(2, 9, 900)
    tracker.finish(2, 900)  # a live message in the channel, sent after the downtime window
    assert tracker.take_dirty() == [(2, 9, 50)]  # the cursor cannot pass the unread history
    tracker.advance_pin(2, 120)  # catch-up read history up to 120
    assert tracker.pinned(2) == (120, generation) and tracker.safe_cursor(2) == 120
    assert tracker.release_pin(2, generation)
    assert tracker.pinned(2) is None and tracker.safe_cursor(2) == 900


def test_a_new_pin_generation_cannot_be_released_by_an_older_catch_up() -> None:
    tracker = CursorTracker()
    first = tracker.pin(3, 9, 70)
    second = tracker.pin(3, 9, 80)  # a new gateway session while catch-up runs: keeps the lower position
    assert second != first and tracker.pinned(3) == (70, second)
    assert not tracker.release_pin(3, first)
    assert tracker.pinned(3) == (70, second)
    lower = tracker.pin(3, 9, 60)
    assert tracker.pinned(3) == (60, lower) and tracker.safe_cursor(3) == 60
    assert tracker.release_pin(3, lower) and tracker.safe_cursor(3) is None


def test_failed_message_holds_the_cursor_while_in_flight() -> None:
    tracker = CursorTracker()
    tracker.start(4, 9, 10)
    tracker.start(4, 9, 11)
    tracker.finish(4, 11)  # 10 failed scoring: it stays in flight until retried or given up
    assert tracker.safe_cursor(4) == 9
    tracker.finish(4, 10)
    assert tracker.safe_cursor(4) == 11


async def test_repository_mirrors_what_is_stored(db) -> None:
    repo = ChannelCursorRepository(db)
    await repo.advance_many([(1, 9, 100), (2, 9, 7)])
    await repo.advance(1, 9, 50)
    assert repo.known == {1: (9, 100), 2: (9, 7)}
    fresh = ChannelCursorRepository(db)
    assert fresh.known == {} and await fresh.all() == {1: (9, 100), 2: (9, 7)} and fresh.known == repo.known
