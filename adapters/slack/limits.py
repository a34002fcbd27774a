"""Per-channel pacing of message posts, so a burst of answers meets no 429s."""

from __future__ import annotations

import asyncio
import math
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

MARGIN = 1.1  # a little slack for network jitter between our clock and Slack's


class ChannelPostPacer:
    """At most `per_second` posts in any 1-second window per channel (a sliding window, like Slack's).

    Slack counts a post when it arrives, which is some time after we let it go (the event loop may be busy,
    the request queued): so a post holds its place from the moment it is let through until a window after
    its response, the latest it can have arrived. Counted at the grant, posts let through a window apart
    had arrived bunched (45 × 429 in a busy burst).
    """

    def __init__(
        self,
        per_second: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.per_second = per_second
        self._clock, self._sleep = clock, sleep
        self._posts: dict[str, list[list[float]]] = defaultdict(list)  # per post [when it answered] (inf: in flight)
        self._locks: dict[str, asyncio.Lock] = defaultdict(asyncio.Lock)

    @asynccontextmanager
    async def post(self, channel: str) -> AsyncIterator[None]:
        """Around one post: waits for a place in the channel's window, holds it until the post answered."""
        if self.per_second <= 0:
            yield
            return
        place = await self._acquire(channel)
        try:
            yield
        finally:
            place[0] = self._clock()

    def _window(self) -> float:
        return (1.0 if self.per_second >= 1 else 1.0 / self.per_second) * MARGIN

    async def _acquire(self, channel: str) -> list[float]:
        limit, window = max(1, int(self.per_second)), self._window()
        async with self._locks[channel]:  # FIFO: callers are served in arrival order
            while True:
                now = self._clock()
                posts = self._posts[channel]
                posts[:] = [p for p in posts if now - p[0] < window]  # in flight (inf) stays
                if len(posts) < limit:
                    place = [math.inf]
                    posts.append(place)
                    return place
                soonest = min(p[0] for p in posts)  # all in flight: look again shortly
                await self._sleep(window - (now - soonest) + 0.001 if soonest < math.inf else 0.01)
