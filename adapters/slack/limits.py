"""Per-channel pacing of message posts and edits, so a burst of answers meets no 429s."""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable

MARGIN = 1.1  # a little slack for network jitter between our clock and Slack's


class ChannelLimiter:
    """At most `per_second` calls in any 1-second window per channel (a sliding window, like Slack's)."""

    def __init__(
        self,
        per_second: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.per_second = per_second
        self._clock, self._sleep = clock, sleep
        self._calls: dict[str, deque[float]] = defaultdict(deque)
        self._locks: dict[str, asyncio.Lock] = defaultdict(asyncio.Lock)

    async def acquire(self, channel: str) -> None:
        if self.per_second <= 0:
            return
        limit = max(1, int(self.per_second))
        window = (1.0 if self.per_second >= 1 else 1.0 / self.per_second) * MARGIN
        async with self._locks[channel]:  # FIFO: callers are served in arrival order
            calls = self._calls[channel]
            while True:
                now = self._clock()
                while calls and now - calls[0] >= window:
                    calls.popleft()
                if len(calls) < limit:
                    calls.append(now)
                    return
                await self._sleep(window - (now - calls[0]) + 0.001)
