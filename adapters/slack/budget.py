"""A workspace-wide budget for the Web API methods that stream answers, and for name look-ups, under Slack's
per-method rate tiers.

Slack limits most methods per workspace and per method: chat.update is Tier 3 (about 50 a minute, bursts
allowed), chat.appendStream Tier 4 (about 100), chat.startStream and chat.stopStream Tier 2 (about 20). Editing
every streaming answer once a second exhausts Tier 3 with two or three long answers at once, and 429 retries then
stall every stream. So the answers streaming in one workspace share one token bucket per method:

- each answer edits at most once per `interval()`: the bucket's rate divided among the answers streaming now, so
  many answers at once make fewer, larger edits each, spread evenly;
- an in-between edit is skipped when the bucket is low (`try_take`); the text simply arrives in the next edit;
- a final edit waits for a token (`take`) and keeps a reserve for itself, so it always gets through;
- an answer streams only while the final edits of all answers streaming, its own included, fit in the bucket
  and what refills within `STREAM_HORIZON` (`may_stream`); past that it is posted once, whole, when complete
  (chat.postMessage, paced per channel). The horizon is short: with 20 s, a 500-answer burst streamed 24
  answers at once and their final edits then queued 1.3 s apart for up to 18 s (benchmarks/burst.py).
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable

# Calls a minute we allow ourselves per workspace: Slack's tier figure less a margin for clock skew.
PER_MINUTE = {
    "chat.update": 45.0,  # Tier 3
    "chat.appendStream": 90.0,  # Tier 4
    "chat.startStream": 18.0,  # Tier 2
    "chat.stopStream": 18.0,  # Tier 2
    "users.info": 90.0,  # Tier 4: display names (a name look-up with no token left is skipped, not queued)
}
BURST_SHARE = 0.2  # a bucket holds this share of a minute's calls
# Slack allows bursts of up to a minute's calls. Name look-ups may use nearly all of it: a skipped one costs
# only a display name, and spreading them thinly would show ids to most of a burst's new users.
BURST_SHARES = {"users.info": 0.9}
STREAM_HORIZON = 2.0  # Slack seconds the final edits of the answers streaming now may take to be served
FINAL_RESERVE = {"chat.update": 2.0}  # tokens in-between calls leave for final calls of the same method


class Bucket:
    def __init__(
        self, per_minute: float, *, minute: float, clock: Callable[[], float], burst_share: float = BURST_SHARE
    ) -> None:
        self.rate = per_minute / minute  # tokens per second
        self.capacity = max(3.0, per_minute * burst_share)
        self.tokens = self.capacity
        self._clock = clock
        self._at = clock()

    def refill(self) -> float:
        now = self._clock()
        self.tokens = min(self.capacity, self.tokens + (now - self._at) * self.rate)
        self._at = now
        return self.tokens


class WorkspaceCallBudget:
    """Token buckets per (workspace, method), and the answers streaming now in each workspace."""

    def __init__(
        self,
        *,
        minute: float = 60.0,  # Slack's minute; tests run a shorter one against a stand-in that does the same
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.minute, self._clock, self._sleep = minute, clock, sleep
        self._buckets: dict[tuple[str, str], Bucket] = {}
        self._streaming: dict[str, int] = defaultdict(int)
        self._locks: dict[tuple[str, str], asyncio.Lock] = defaultdict(asyncio.Lock)

    def _bucket(self, team: str, method: str) -> Bucket:
        key = (team, method)
        if key not in self._buckets:
            share = BURST_SHARES.get(method, BURST_SHARE)
            self._buckets[key] = Bucket(PER_MINUTE[method], minute=self.minute, clock=self._clock, burst_share=share)
        return self._buckets[key]

    def started(self, team: str) -> None:
        self._streaming[team] += 1

    def finished(self, team: str) -> None:
        self._streaming[team] = max(0, self._streaming[team] - 1)

    def streaming(self, team: str) -> int:
        return self._streaming[team]

    def may_stream(self, team: str) -> bool:
        """Whether one more answer may stream by edits: its final edit and those of the answers streaming now fit in
        the chat.update tokens left and those refilled within the horizon (native streams fall back to edits)."""
        bucket = self._bucket(team, "chat.update")
        refilled = bucket.rate * self.minute * STREAM_HORIZON / 60.0
        return self._streaming[team] + 1 <= bucket.refill() + refilled

    def interval(self, team: str, method: str) -> float:
        """Seconds between one answer's edits so that all answers streaming now fit the method's rate."""
        return max(1, self._streaming[team]) * self.minute / PER_MINUTE[method]

    def try_take(self, team: str, method: str) -> bool:
        """An in-between call: only when tokens are left beyond the reserve kept for final calls."""
        bucket = self._bucket(team, method)
        if bucket.refill() >= 1.0 + FINAL_RESERVE.get(method, 0.0):
            bucket.tokens -= 1.0
            return True
        return False

    async def take(self, team: str, method: str) -> None:
        """A final call: waits for a token (finals are served in arrival order)."""
        bucket = self._bucket(team, method)
        async with self._locks[(team, method)]:
            while bucket.refill() < 1.0:
                await self._sleep((1.0 - bucket.tokens) / bucket.rate + 0.001)
            bucket.tokens -= 1.0
