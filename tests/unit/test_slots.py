"""The per-endpoint concurrency limit: FIFO queue, place messages, clean cancellation."""

from __future__ import annotations

import asyncio

import pytest

from bot.config import Settings
from bot.slots import SlotPool, Slots, limits_from_settings, place_text


class Statuses:
    def __init__(self) -> None:
        self.seen: list[str] = []

    async def __call__(self, text: str) -> None:
        self.seen.append(text)


async def settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


async def test_under_the_limit_no_wait_and_no_status() -> None:
    slots = Slots("ollama", 2)
    status = Statuses()
    await slots.acquire(status)
    await slots.acquire(status)
    assert slots.active == 2 and slots.queued == 0 and status.seen == []
    slots.release()
    slots.release()
    assert slots.active == 0


async def test_waiters_told_their_place_and_served_in_order() -> None:
    slots = Slots("ollama", 1)
    await slots.acquire()
    order: list[int] = []
    statuses = [Statuses() for _ in range(3)]

    async def user(i: int) -> None:
        await slots.acquire(statuses[i])
        order.append(i)

    tasks = [asyncio.create_task(user(i)) for i in range(3)]
    await settle()
    assert [s.seen[-1] for s in statuses] == [place_text(0), place_text(1), place_text(2)]
    assert statuses[2].seen[-1] == "⏳ 2 ahead of you"
    slots.release()  # the slot passes to user 0; the others move up
    await settle()
    assert order == [0]
    assert statuses[1].seen[-1] == "⏳ you're next" and statuses[2].seen[-1] == "⏳ 1 ahead of you"
    assert statuses[0].seen[-1] == "thinking…"
    slots.release()
    slots.release()
    await asyncio.gather(*tasks)
    assert order == [0, 1, 2]
    assert slots.active == 1 and slots.queued == 0
    slots.release()
    assert slots.active == 0


async def test_cancel_while_queued_leaves_the_queue_cleanly() -> None:
    slots = Slots("ollama", 1)
    await slots.acquire()
    statuses = [Statuses() for _ in range(3)]
    tasks = [asyncio.create_task(slots.acquire(statuses[i])) for i in range(3)]
    await settle()
    tasks[1].cancel()
    with pytest.raises(asyncio.CancelledError):
        await tasks[1]
    await settle()
    assert slots.queued == 2
    assert statuses[2].seen[-1] == "⏳ 1 ahead of you"  # moved up when the one ahead left
    slots.release()
    await tasks[0]
    slots.release()
    await tasks[2]
    slots.release()
    assert slots.active == 0 and slots.queued == 0


async def test_cancel_at_the_moment_of_grant_passes_the_slot_on() -> None:
    slots = Slots("ollama", 1)
    await slots.acquire()
    first = asyncio.create_task(slots.acquire())
    second = asyncio.create_task(slots.acquire())
    await settle()
    slots.release()  # granted to `first`, which is cancelled before it runs again
    first.cancel()
    with pytest.raises(asyncio.CancelledError):
        await first
    await asyncio.wait_for(second, 5)
    assert slots.active == 1 and slots.queued == 0
    slots.release()
    assert slots.active == 0


async def test_unlimited_endpoint_never_queues() -> None:
    slots = Slots("openai", 0)
    for _ in range(50):
        await slots.acquire()
    assert slots.queued == 0


async def test_depth_observer_sees_queue_length() -> None:
    depths: list[tuple[str, int]] = []
    pool = SlotPool({"ollama": 1})
    pool.set_observer(lambda name, depth: depths.append((name, depth)))
    slots = pool("ollama")
    async with slots.hold():
        waiter = asyncio.create_task(slots.acquire())
        await settle()
        assert ("ollama", 1) in depths and pool.depths()["ollama"] == (1, 1)
    await waiter
    slots.release()
    assert depths[-1] == ("ollama", 0) and pool.depths()["ollama"] == (0, 0)


def test_limits_come_from_provider_settings() -> None:
    settings = Settings.model_validate(
        {
            "ollama": {"max_concurrent": 3},
            "endpoints": [{"name": "vllm", "base_url": "http://x/v1", "locality": "local", "max_concurrent": 4}],
        }
    )
    assert limits_from_settings(settings) == {"ollama": 3, "embedded": 1, "vllm": 4}
    assert limits_from_settings(Settings()) == {"ollama": 2, "embedded": 1}
