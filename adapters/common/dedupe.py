"""Ids seen lately, so an event a platform delivers again is handled once (bounded: the oldest are forgotten)."""

from __future__ import annotations

from collections import OrderedDict


class RecentIds:
    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._seen: OrderedDict[str, None] = OrderedDict()

    def first_sight(self, ident: str) -> bool:
        """True the first time an id is seen (and remembers it); False for a repeat."""
        if ident in self._seen:
            return False
        self._seen[ident] = None
        if len(self._seen) > self.capacity:
            self._seen.popitem(last=False)
        return True
