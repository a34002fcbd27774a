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


LOOKUP_WAIT = 10.0  # seconds a rate-limited look-up may spend waiting for Slack's Retry-After, in all


class StillRateLimited(Exception):
    """A method's shared pause runs past the caller's bound: not asked, so that Slack is not asked in vain."""


class Pause:
    """One method's pause after a 429, shared by every caller of that method: Slack's limits are per workspace
    and method, so when one users.info call hears "retry after 30 s", the other 400 wait too instead of each
    asking and meeting its own 429."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.until = 0.0
        self._clock = clock

    def left(self) -> float:
        return max(0.0, self.until - self._clock())

    def hold(self, seconds: float) -> None:
        self.until = max(self.until, self._clock() + seconds)


def retry_after(error: Exception) -> float | None:
    """Seconds Slack asked us to wait, if `error` is a 429 (slack-sdk raises it once its own retries are spent)."""
    response = getattr(error, "response", None)
    if getattr(response, "status_code", None) != 429:
        return None
    headers = {str(k).lower(): v for k, v in (getattr(response, "headers", None) or {}).items()}
    value = headers.get("retry-after", 1)
    try:
        return max(0.0, float(value[0] if isinstance(value, list) else value))
    except (TypeError, ValueError):
        return 1.0


async def patiently(
    call: Callable[[], Awaitable[V]],
    *,
    bound: float | None = None,
    pause: Pause | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> V:
    """`call()`, waiting out 429s for as long as Slack's Retry-After says while within `bound` seconds in all.

    A look-up rate limited in a burst then still answers (a public channel stays public) instead of failing at
    once; a real error, or a wait past the bound, is raised for the caller to fail closed on. With `pause`
    (the method's, shared), a 429 pauses every caller of the method, and a pause past the bound raises
    `StillRateLimited` without asking.
    """
    deadline = clock() + (LOOKUP_WAIT if bound is None else bound)
    while True:
        if pause is not None and pause.left():
            if clock() + pause.left() > deadline:
                raise StillRateLimited()
            await sleep(pause.left())
            continue
        try:
            return await call()
        except Exception as error:
            wait = retry_after(error)
            if wait is not None and pause is not None:
                pause.hold(wait)
            if wait is None or clock() + wait > deadline:
                raise
            await sleep(wait)
