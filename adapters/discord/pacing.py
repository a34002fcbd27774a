"""A process-wide pace for REST calls, under Discord's global limit of 50 requests per second.

discord.py waits out per-route buckets it has seen, but it only reacts to the global limit after a 429.
Interaction callbacks and follow-ups are not bound by the global limit (and go through another client).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextvars import ContextVar
from typing import Any

# A burst of BURST requests, then RATE per second: never more than BURST + RATE (45) in any one second.
RATE = 25.0
BURST = 20.0
RESERVE = 5.0  # tokens edits and typing leave for new messages, so first text is not stuck behind them

# Set in a task whose next request shows an answer's first text (an edit of a queue status): not held back.
first_text: ContextVar[bool] = ContextVar("first_text", default=False)


class TokenBucket:
    def __init__(self, rate: float = RATE, burst: float = BURST, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate
        self.burst = burst
        self._clock = clock
        self._tokens = burst
        self._last = clock()
        self.waited = 0  # requests that had to wait (for benchmarks and logs)
        self.skipped = 0  # optional requests (typing) left out when tokens were short

    def _refill(self) -> None:
        now = self._clock()
        self._tokens = min(self.burst, self._tokens + (now - self._last) * self.rate)
        self._last = now

    def try_take(self, reserve: float = 0.0) -> float:
        """0 when a token was taken (leaving ``reserve``); otherwise the seconds until one may be free."""
        if not self.rate:  # pacing off
            return 0.0
        self._refill()
        if self._tokens >= 1 + reserve:
            self._tokens -= 1
            return 0.0
        return (1 + reserve - self._tokens) / self.rate

    async def take(self, reserve: float = 0.0) -> None:
        first = True
        while delay := self.try_take(reserve):
            if first:
                self.waited += 1
                first = False
            await asyncio.sleep(delay)


class BucketLocks:
    """One request at a time per rate-limit bucket (route and major parameter).

    discord.py reads each response's X-RateLimit-Remaining as if no other request of that bucket were in
    flight; with several in flight it over-counts what is left and meets a 429 (seen against the stand-in).
    Sending one at a time keeps its count right; different channels still go in parallel.
    """

    def __init__(self) -> None:
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}

    @contextlib.asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[None]:
        lock, users = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[key]
            if users <= 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)


def paced(request: Callable[..., Awaitable[Any]], bucket: TokenBucket) -> Callable[..., Awaitable[Any]]:
    """Wrap discord.py's ``HTTPClient.request``: one call per route bucket at a time, each taking a token."""
    locks = BucketLocks()

    @functools.wraps(request)
    async def wrapper(route: Any, **kwargs: Any) -> Any:
        if route.path.startswith("/interactions/"):
            return await request(route, **kwargs)
        if route.path.endswith("/typing"):  # cosmetic: left out rather than delaying anything else
            if bucket.try_take(RESERVE):
                bucket.skipped += 1
                return None
            return await request(route, **kwargs)
        async with locks.hold(f"{route.key}:{route.major_parameters}"):
            background = route.method == "PATCH" and not first_text.get()
            await bucket.take(RESERVE if background else 0.0)
            return await request(route, **kwargs)

    return wrapper
