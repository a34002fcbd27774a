"""A small expiring cache for Slack look-ups (users.info, conversations.info): they are rate limited per
workspace (Tier 3/4), and names, admin flags and privacy can change, so answers are kept for a while only.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
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
