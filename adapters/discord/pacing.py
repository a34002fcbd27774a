"""REST pacing under Discord's limits: the global one (50 requests in any second) and its per-route buckets.

- Global: at most `limit` requests in any window of a second (a sliding window, as Discord counts), and
  new messages go first: an answer's first text, thread creation and new messages take a free slot before
  edits do, and edits leave `RESERVE` slots of each window to them. Typing indicators are sent only while
  the window is less than half full (in a burst, the first texts need those slots more). discord.py by
  itself would only react to the global limit after a 429.
- Per route: discord.py reads each bucket's X-RateLimit headers and waits when one is spent, but it counts
  as if no other request of that bucket were in flight; with several in flight it over-counts what is left
  and meets a 429 (seen against the stand-in). So requests of one bucket go one at a time; different
  buckets (channels, threads) go in parallel.
Interaction callbacks and follow-ups are not bound by the global limit (and go through another client).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import heapq
import itertools
import time
from collections import deque
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import Any

from bot.keyed_locks import KeyedLocks

LIMIT = 50  # Discord's global limit: requests per second per bot
# Seconds the window is counted over: more than Discord's second, because a request is counted here when it
# is let through and there when it arrives; on a busy event loop the two differ by tens of milliseconds.
WINDOW = 1.2
RESERVE = 10  # slots of each window that edits leave to new messages
NEW, EDIT, OPTIONAL = 0, 1, 2  # priorities: lower goes first; OPTIONAL (typing) never waits

# Set in a task whose next request shows an answer's first text (an edit of a queue status): not held back.
first_text: ContextVar[bool] = ContextVar("first_text", default=False)


class RestRequestPacer:
    """At most `limit` requests in any `window` seconds, granted by priority (then arrival); `limit` 0: off."""

    def __init__(
        self,
        limit: int = LIMIT,
        window: float = WINDOW,
        reserve: int = RESERVE,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit, self.window, self.reserve = limit, window, min(reserve, max(0, limit - 1))
        self._clock = clock
        self._sent: deque[float] = deque()  # when each request of the current window was let through
        self._queue: list[tuple[int, int]] = []  # (priority, arrival) of waiting requests, a heap
        self._arrivals = itertools.count()
        self._changed = asyncio.Condition()
        self.waited = 0  # requests that had to wait (for benchmarks and logs)
        self.skipped = 0  # optional requests (typing) left out because no slot was free

    def _capacity(self, priority: int) -> int:
        if priority == OPTIONAL:
            return self.limit // 2
        return self.limit - (self.reserve if priority > NEW else 0)

    def _delay(self, priority: int) -> float:
        """0 if a request of this priority may go now; else seconds until a slot of its share frees."""
        now = self._clock()
        while self._sent and now - self._sent[0] >= self.window:
            self._sent.popleft()
        over = len(self._sent) - self._capacity(priority)
        return 0.0 if over < 0 else self._sent[over] + self.window - now

    def try_take(self) -> bool:
        """Take a slot only if one is free now and nobody waits (for requests that can be left out)."""
        if not self.limit:
            return True
        if not self._queue and not self._delay(OPTIONAL):
            self._sent.append(self._clock())
            return True
        self.skipped += 1
        return False

    async def take(self, priority: int) -> None:
        if not self.limit:
            return
        entry = (priority, next(self._arrivals))
        async with self._changed:
            heapq.heappush(self._queue, entry)
            waited = False
            try:
                while (delay := self._delay(priority) if self._queue[0] == entry else None) != 0.0:
                    waited = True
                    with contextlib.suppress(TimeoutError):  # woken early when the head of the queue changes
                        async with asyncio.timeout(delay):
                            await self._changed.wait()
            finally:
                self._queue.remove(entry)
                heapq.heapify(self._queue)
                self._changed.notify_all()
            self.waited += waited
            self._sent.append(self._clock())


class BucketLocks(KeyedLocks[str]):
    """One request at a time per rate-limit bucket (route and major parameter)."""


def priority_of(route: Any) -> int:
    """New messages and threads (and an edit showing an answer's first text) before other requests."""
    if route.method == "POST" or first_text.get():
        return NEW
    return EDIT


def paced(request: Callable[..., Awaitable[Any]], window: RestRequestPacer) -> Callable[..., Awaitable[Any]]:
    """Wrap discord.py's ``HTTPClient.request``: one call per route bucket at a time, each within the window."""
    locks = BucketLocks()

    @functools.wraps(request)
    async def wrapper(route: Any, **kwargs: Any) -> Any:
        if route.path.startswith("/interactions/"):
            return await request(route, **kwargs)
        if route.path.endswith("/typing"):  # cosmetic: left out rather than delaying anything else
            return await request(route, **kwargs) if window.try_take() else None
        async with locks.hold(f"{route.key}:{route.major_parameters}"):
            await window.take(priority_of(route))
            return await request(route, **kwargs)

    return wrapper
