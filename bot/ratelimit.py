"""Per-user and per-channel turn limits over sliding windows. Pure: the clock is passed in.

A tier is "COUNT/WINDOW": "10/minute", "100/hour", "1000/day", "5/30s", "20/2h". A turn is admitted
only when every tier of its user and of its channel has room; an admitted turn counts against all of
them, a refused one counts against none (so someone who waits is never locked out by their retries).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.config import LimitsConfig

UNITS = {
    "s": 1,
    "sec": 1,
    "second": 1,
    "m": 60,
    "min": 60,
    "minute": 60,
    "h": 3600,
    "hour": 3600,
    "d": 86400,
    "day": 86400,
}
_TIER = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([a-z]+?)s?\s*$")
_WINDOW_WORDS = {60: "minute", 3600: "hour", 86400: "day", 1: "second"}


@dataclass(frozen=True)
class Tier:
    count: int
    window: float  # seconds

    @property
    def words(self) -> str:
        unit = _WINDOW_WORDS.get(int(self.window))
        per = f"per {unit}" if unit else f"per {_duration(self.window)}"
        return f"{self.count:,} message{'s' if self.count != 1 else ''} {per}"


def parse_tier(text: str) -> Tier:
    match = _TIER.match(text.lower())
    unit = UNITS.get(match.group(3)) if match else None
    if match is None or unit is None:
        raise ValueError(f"'{text}' is not a limit; write COUNT/WINDOW, e.g. '10/minute', '100/hour', '5/30s'")
    count, multiple = int(match.group(1)), int(match.group(2) or 1)
    if count < 1 or multiple < 1:
        raise ValueError(f"'{text}': the count and the window must be at least 1")
    return Tier(count, float(unit * multiple))


def parse_tiers(texts: Iterable[str]) -> tuple[Tier, ...]:
    return tuple(sorted((parse_tier(t) for t in texts), key=lambda t: t.window))


@dataclass(frozen=True)
class Refusal:
    scope: str  # "user" or "channel"
    tier: Tier
    retry_at: float  # clock time when one more turn fits

    def message(self, now: float) -> str:
        wait = max(1.0, self.retry_at - now)
        when = dt.datetime.fromtimestamp(self.retry_at, dt.UTC).strftime("%H:%M UTC")
        who = "You have" if self.scope == "user" else "This channel has"
        return (
            f"⏳ {who} reached the limit of {self.tier.words}. Try again in {_duration(wait)} (at {when})."
            " Your message was not sent to any model and not stored."
        )


class SlidingWindowLimiter:
    """Timestamps of admitted events per key, kept for the longest window; idle keys are dropped."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self.clock = clock
        self._events: dict[str, deque[float]] = {}
        self._checks = 0

    def blocked(self, key: str, tiers: tuple[Tier, ...], now: float) -> tuple[Tier, float] | None:
        """The tier that is full for this key and when it frees up, else None."""
        events = self._events.get(key)
        if not events or not tiers:
            return None
        _trim(events, now - tiers[-1].window)
        worst: tuple[Tier, float] | None = None
        for tier in tiers:
            if len(events) < tier.count:
                continue
            # Events are oldest first; the window holds `count` or more, so the one that must age out
            # is the count-th newest.
            in_window = sum(1 for t in events if t > now - tier.window)
            if in_window >= tier.count:
                free_at = events[len(events) - tier.count] + tier.window
                if worst is None or free_at > worst[1]:
                    worst = (tier, free_at)
        return worst

    def record(self, key: str, tiers: tuple[Tier, ...], now: float) -> None:
        if not tiers:
            return
        events = self._events.setdefault(key, deque())
        events.append(now)
        _trim(events, now - tiers[-1].window)
        while len(events) > max(t.count for t in tiers):  # never needs more than the largest count
            events.popleft()
        self._checks += 1
        if self._checks % 1000 == 0:
            self._forget_idle(now - 86400 * 7)

    def _forget_idle(self, before: float) -> None:
        for key in [k for k, v in self._events.items() if not v or v[-1] < before]:
            del self._events[key]

    def __len__(self) -> int:
        return len(self._events)


class TurnLimits:
    """The configured limits, asked once per turn: `admit` returns a refusal message or ''."""

    def __init__(
        self,
        *,
        enabled: bool = True,
        platforms: Iterable[str] = ("slack", "discord"),
        user: Iterable[str] = (),
        channel: Iterable[str] = (),
        overrides: dict[str, list[str]] | None = None,
        clock: Callable[[], float] | None = None,
    ) -> None:
        import time

        self.enabled = enabled
        self.platforms = frozenset(platforms)
        self.user = parse_tiers(user)
        self.channel = parse_tiers(channel)
        self.overrides = {k: parse_tiers(v) for k, v in (overrides or {}).items()}
        self.window = SlidingWindowLimiter(clock or time.time)

    @classmethod
    def from_settings(cls, config: LimitsConfig) -> TurnLimits:
        return cls(
            enabled=config.enabled,
            platforms=config.platforms,
            user=config.user,
            channel=config.channel,
            overrides=config.overrides,
        )

    @property
    def clock(self) -> Callable[[], float]:
        return self.window.clock

    @clock.setter
    def clock(self, value: Callable[[], float]) -> None:
        self.window.clock = value

    def check(self, platform: str, workspace: str, channel: str, user_id: str) -> Refusal | None:
        """Admit (and count) one turn, or say which limit is full and until when."""
        if not self.enabled or platform not in self.platforms:
            return None
        now = self.window.clock()
        scopes = (
            ("user", f"user:{platform}/{workspace}/{user_id}", self.overrides.get(user_id, self.user)),
            ("channel", f"channel:{platform}/{workspace}/{channel}", self.overrides.get(channel, self.channel)),
        )
        for scope, key, tiers in scopes:
            if found := self.window.blocked(key, tiers, now):
                return Refusal(scope, found[0], found[1])
        for _scope, key, tiers in scopes:
            self.window.record(key, tiers, now)
        return None

    def admit(self, platform: str, workspace: str, channel: str, user_id: str) -> str:
        refusal = self.check(platform, workspace, channel, user_id)
        return refusal.message(self.window.clock()) if refusal else ""


def _trim(events: deque[float], before: float) -> None:
    while events and events[0] <= before:
        events.popleft()


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    if seconds < 90:
        return f"{seconds} s"
    if seconds < 90 * 60:
        return f"{round(seconds / 60)} min"
    if seconds < 36 * 3600:
        return f"{round(seconds / 3600)} h"
    return f"{round(seconds / 86400)} days"
