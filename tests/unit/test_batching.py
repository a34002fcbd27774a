"""Batching what has already arrived (bot/providers/batching.py): merged text, order kept, nothing waited for."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from bot.providers.base import Finish, TextDelta, ToolCall, Usage
from bot.providers.batching import merge_text, read_ahead, ready


def test_consecutive_text_is_merged_and_everything_else_keeps_its_place() -> None:
    call = ToolCall("c1", "clock")
    items = [TextDelta("a"), TextDelta("b"), call, TextDelta("c"), Usage(1, 2), TextDelta("d"), TextDelta("e")]
    assert merge_text(items) == [TextDelta("ab"), call, TextDelta("c"), Usage(1, 2), TextDelta("de")]
    assert merge_text([Finish()]) == [Finish()]
    assert merge_text([]) == []


async def test_ready_takes_what_is_queued_without_waiting() -> None:
    queue: asyncio.Queue[int] = asyncio.Queue()
    for n in (2, 3):
        queue.put_nowait(n)
    assert ready(queue, 1) == [1, 2, 3]
    assert ready(queue, 4) == [4]


async def test_read_ahead_batches_what_arrived_together_and_passes_single_items_at_once() -> None:
    release = asyncio.Event()

    async def source() -> AsyncIterator[int]:
        for n in range(5):  # arrive together
            yield n
        await release.wait()
        yield 5  # arrives alone, later

    batches = read_ahead(source())
    assert await anext(batches) == [0, 1, 2, 3, 4]
    release.set()
    assert await anext(batches) == [5]
    assert await anext(batches, None) is None


async def test_read_ahead_raises_the_source_error_after_the_items_before_it() -> None:
    async def source() -> AsyncIterator[int]:
        yield 1
        raise ValueError("broken")

    batches = read_ahead(source())
    assert await anext(batches) == [1]
    with pytest.raises(ValueError, match="broken"):
        await anext(batches)


async def test_closing_read_ahead_stops_reading_and_closes_the_source() -> None:
    closed = asyncio.Event()

    async def source() -> AsyncIterator[int]:
        try:
            yield 1
            await asyncio.sleep(60)  # a stalled stream
            yield 2
        finally:
            closed.set()

    batches = read_ahead(source())
    assert await anext(batches) == [1]
    await batches.aclose()
    assert closed.is_set()


async def test_a_timeout_around_read_ahead_cancels_its_reader() -> None:
    async def source() -> AsyncIterator[int]:
        yield 1
        await asyncio.sleep(60)
        yield 2

    batches = read_ahead(source())
    assert await anext(batches) == [1]
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.05):
            await anext(batches)
    assert not [t for t in asyncio.all_tasks() if t.get_coro().__qualname__.startswith("read_ahead")]
