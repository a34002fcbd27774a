"""A small expiring cache for Slack look-ups (users.info, conversations.info): they are rate limited per
workspace (Tier 3/4), and names, admin flags and privacy can change, so answers are kept for a while only.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

V = TypeVar("V")


class ExpiringCache(Generic[V]):
    """Key → value for `ttl` seconds; at most `limit` entries, the least recently stored dropped first."""

    def __init__(self, ttl: float, *, limit: int = 50_000, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl, self.limit, self._clock = ttl, limit, clock
        self._items: OrderedDict[str, tuple[float, V]] = OrderedDict()

    def get(self, key: str) -> V | None:
        item = self._items.get(key)
        if item is None:
            return None
        stored_at, value = item
        if self._clock() - stored_at >= self.ttl:
            del self._items[key]
            return None
        return value

    def put(self, key: str, value: V) -> None:
        self._items[key] = (self._clock(), value)
        self._items.move_to_end(key)
        while len(self._items) > self.limit:
            self._items.popitem(last=False)

    def __contains__(self, key: str) -> bool:
        return self.get(key) is not None

    def clear(self) -> None:
        self._items.clear()


class SingleFlight(Generic[V]):
    """One look-up in flight per key: callers asking for a key already being looked up await that answer.

    20 concurrent first mentions from one user make one users.info call, not 20 (each is a round trip before
    the turn starts). The look-up runs as its own task, so a caller cancelled while waiting doesn't cancel it
    for the others.
    """

    def __init__(self) -> None:
        self._pending: dict[str, asyncio.Future[V]] = {}

    async def run(self, key: str, look_up: Callable[[], Awaitable[V]]) -> V:
        pending = self._pending.get(key)
        if pending is None:
            pending = asyncio.ensure_future(look_up())
            self._pending[key] = pending
            pending.add_done_callback(lambda _: self._pending.pop(key, None))
        return await asyncio.shield(pending)
