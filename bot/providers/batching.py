"""Batching what has already arrived: consecutive text deltas read together become one TextDelta.

Each delta a provider yields costs a pass through the retry wrapper, the repetition guard, the placeholder
restorer, the model step and the sink. When the event loop is busy (many answers at once), a stream's tokens
pile up between its reads; passing them on as one delta does that work once. Nothing here waits for more
data: a delta that arrives alone (a slow model, an idle loop) goes on alone, at once. Tool calls, usage and
the finish keep their order (text before them goes out first).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, AsyncIterator
from itertools import groupby
from typing import Any, TypeVar, cast

from bot.providers.base import TextDelta

T = TypeVar("T")
_END = object()  # read_ahead's end-of-source marker


def merge_text(items: list[T]) -> list[T]:
    """`items` with each run of consecutive TextDeltas joined into one; every other item keeps its place."""
    if len(items) < 2:
        return items
    merged: list[Any] = []
    for is_text, run in groupby(items, key=lambda item: isinstance(item, TextDelta)):
        if is_text:
            merged.append(TextDelta("".join(cast(TextDelta, delta).text for delta in run)))
        else:
            merged.extend(run)
    return merged


def ready(queue: asyncio.Queue[T], first: T) -> list[T]:
    """`first` and whatever else is in `queue` already (never waits)."""
    items = [first]
    while not queue.empty():
        items.append(queue.get_nowait())
    return items


async def read_ahead(source: AsyncIterator[T]) -> AsyncGenerator[list[T], None]:
    """The items of `source`, in lists of those that had arrived when the caller asked (never empty).

    A task reads `source` into a queue as fast as it yields (so a network read's worth of lines goes in at
    once); each list is what the queue held. An exception from `source` is raised after the items before it.
    Closing this iterator stops the task and closes `source`.
    """
    queue: asyncio.Queue[Any] = asyncio.Queue()
    failure: list[BaseException] = []

    async def pump() -> None:
        try:
            async for item in source:
                queue.put_nowait(item)
        except Exception as error:  # handed to the reader, in order
            failure.append(error)
        finally:
            queue.put_nowait(_END)

    task = asyncio.create_task(pump())
    try:
        while True:
            items = ready(queue, await queue.get())
            end = items[-1] is _END
            if end:
                items.pop()
            if items:
                yield items
            if end:
                if failure:
                    raise failure[0]
                return
    finally:
        if not task.done():
            task.cancel()
            try:
                await task
            except asyncio.CancelledError:
                if (current := asyncio.current_task()) is not None and current.cancelling():
                    raise
        aclose = getattr(source, "aclose", None)
        if aclose is not None:
            await aclose()
