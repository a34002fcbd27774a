"""A concurrency limit per model endpoint, with a FIFO queue that tells waiting users their place.

A local endpoint (one Ollama server, the in-process model) answers only a few turns at once well;
more at the same time just slows every answer down. `Slots` admits `limit` turns; the others wait
in arrival order and are told "⏳ 2 ahead of you", updated as the queue moves. A waiter cancelled
while queued leaves the queue at once (no leak, no stuck slot); a slot granted to a waiter at the
moment it was cancelled is passed on to the next one.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field

StatusCallback = Callable[[str], Awaitable[None]]
DepthObserver = Callable[[str, int], None]  # (endpoint, queued) — the metrics hook


def place_text(ahead: int) -> str:
    return f"⏳ {ahead} ahead of you" if ahead else "⏳ you're next"


@dataclass(eq=False)
class _Waiter:
    moved: asyncio.Event = field(default_factory=asyncio.Event)
    granted: bool = False


class Slots:
    """At most `limit` holders at once (0 = unlimited); FIFO for the rest."""

    def __init__(self, name: str, limit: int, *, on_depth: DepthObserver | None = None) -> None:
        self.name = name
        self.limit = limit
        self.active = 0
        self._waiters: deque[_Waiter] = deque()
        self.on_depth = on_depth

    @property
    def queued(self) -> int:
        return len(self._waiters)

    async def acquire(self, on_status: StatusCallback | None = None) -> None:
        if not self.limit or (self.active < self.limit and not self._waiters):
            self.active += 1
            return
        waiter = _Waiter()
        self._waiters.append(waiter)
        self._report()
        told: int | None = None
        try:
            while not waiter.granted:
                ahead = self._waiters.index(waiter)
                if on_status is not None and ahead != told:
                    told = ahead
                    await on_status(place_text(ahead))
                    continue  # the queue may have moved while the status was sent
                waiter.moved.clear()
                await waiter.moved.wait()
        except BaseException:
            if waiter.granted:
                self.release()  # granted as we were cancelled: pass the slot on
            else:
                self._waiters.remove(waiter)
                self._notify()
            raise
        finally:
            self._report()
        if on_status is not None:
            try:
                await on_status("thinking…")  # the place message is replaced once the turn runs
            except BaseException:
                self.release()
                raise

    def release(self) -> None:
        if self._waiters:
            waiter = self._waiters.popleft()  # the slot passes straight to the next in line
            waiter.granted = True
            waiter.moved.set()
            self._notify()
        else:
            self.active = max(0, self.active - 1)
        self._report()

    @contextlib.asynccontextmanager
    async def hold(self, on_status: StatusCallback | None = None) -> AsyncIterator[None]:
        await self.acquire(on_status)
        try:
            yield
        finally:
            self.release()

    def _notify(self) -> None:
        for other in self._waiters:
            other.moved.set()

    def _report(self) -> None:
        if self.on_depth is not None:
            self.on_depth(self.name, len(self._waiters))


class SlotPool:
    """One `Slots` per provider endpoint, limits from configuration (unknown endpoints: unlimited)."""

    def __init__(self, limits: dict[str, int], *, on_depth: DepthObserver | None = None) -> None:
        self._limits = dict(limits)
        self._slots: dict[str, Slots] = {}
        self._on_depth = on_depth

    def set_observer(self, on_depth: DepthObserver | None) -> None:
        """Wire a queue-depth gauge (e.g. the metrics module's) to every endpoint."""
        self._on_depth = on_depth
        for slots in self._slots.values():
            slots.on_depth = on_depth

    def __call__(self, endpoint: str) -> Slots:
        if endpoint not in self._slots:
            self._slots[endpoint] = Slots(endpoint, self._limits.get(endpoint, 0), on_depth=self._on_depth)
        return self._slots[endpoint]

    def depths(self) -> dict[str, tuple[int, int]]:
        """endpoint → (active, queued), for readiness and metrics."""
        return {name: (s.active, s.queued) for name, s in self._slots.items()}


def limits_from_settings(settings: object) -> dict[str, int]:
    """max_concurrent per endpoint name, read from the provider sections of the settings."""
    limits: dict[str, int] = {}
    for name in ("ollama", "openai", "embedded"):
        section = getattr(settings, name, None)
        limit = getattr(section, "max_concurrent", 0)
        if limit:
            limits[name] = limit
    for endpoint in getattr(settings, "endpoints", ()):
        if getattr(endpoint, "max_concurrent", 0):
            limits[endpoint.name] = endpoint.max_concurrent
    return limits
