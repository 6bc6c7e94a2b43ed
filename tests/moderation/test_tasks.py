"""Cooperative stopping: loops end between units of work; only an overrunning task is cancelled."""

from __future__ import annotations

import asyncio

from bot.moderation.tasks import StopSignal, finish


async def test_sleep_wakes_up_when_stopping() -> None:
    signal = StopSignal()
    assert not await signal.sleep(0.001)
    loop = asyncio.get_running_loop()
    started = loop.time()
    waiter = asyncio.create_task(signal.sleep(30))
    await asyncio.sleep(0.01)
    signal.set()
    assert await waiter and loop.time() - started < 5


async def test_finish_waits_for_a_cooperative_task_and_cancels_a_stuck_one() -> None:
    signal = StopSignal()
    steps: list[str] = []

    async def cooperative() -> None:
        while not await signal.sleep(0.01):
            steps.append("work")
        steps.append("clean exit")

    async def stuck() -> None:
        await asyncio.sleep(3600)

    task = asyncio.create_task(cooperative())
    await asyncio.sleep(0.03)
    signal.set()
    await finish(task)
    assert steps[-1] == "clean exit" and not task.cancelled()
    hung = asyncio.create_task(stuck())
    await finish(hung, grace=0.01)
    assert hung.cancelled()
    await finish(None)
