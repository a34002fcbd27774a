"""The catalog: every model the bot can use across providers, with cheap cached health.

Listing a provider's models doubles as its health check. Results are cached for `health_ttl`
seconds; a failure is cached for a shorter time so a restarted Ollama is noticed quickly.
Runtime failures reported by the engine feed a circuit breaker per model (bot/breaker.py): after
`breaker_failures` consecutive failures a model is avoided for a cool-down, then one probe turn
decides. An unreachable provider is also marked down as a whole until its next health check.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.breaker import Breakers, CircuitView
from bot.providers.base import ModelInfo, Provider, ProviderError

log = logging.getLogger("hybridbot.catalog")

LIST_TIMEOUT = 5.0


@dataclass
class ProviderStatus:
    name: str
    locality: str
    healthy: bool = False
    error: str = ""
    models: list[ModelInfo] = field(default_factory=list)
    checked_at: float = float("-inf")


class Catalog:
    def __init__(
        self,
        providers: list[Provider],
        *,
        health_ttl: float = 30.0,
        failure_ttl: float = 5.0,
        breaker_failures: int = 3,
        breaker_cooldown: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.providers = {p.name: p for p in providers}
        self.health_ttl = health_ttl
        self.failure_ttl = failure_ttl
        self._clock = clock
        self._status = {p.name: ProviderStatus(p.name, p.locality) for p in providers}
        self.breakers = Breakers(failure_threshold=breaker_failures, cooldown=breaker_cooldown, clock=clock)
        self._lock = asyncio.Lock()

    def provider(self, name: str) -> Provider:
        return self.providers[name]

    def _stale(self, status: ProviderStatus, now: float) -> bool:
        ttl = self.health_ttl if status.healthy else self.failure_ttl
        return now - status.checked_at >= ttl

    async def refresh(self, *, force: bool = False) -> list[ProviderStatus]:
        """Re-list stale providers concurrently; return every provider's status."""
        async with self._lock:
            now = self._clock()
            stale = [s for s in self._status.values() if force or self._stale(s, now)]
            if stale:
                await asyncio.gather(*(self._check(s) for s in stale))
        return list(self._status.values())

    async def _check(self, status: ProviderStatus) -> None:
        provider = self.providers[status.name]
        try:
            async with asyncio.timeout(LIST_TIMEOUT):
                models = await provider.list_models()
        except (ProviderError, TimeoutError, OSError) as exc:
            message = exc.message if isinstance(exc, ProviderError) else f"no answer within {LIST_TIMEOUT:.0f} s"
            if status.healthy:  # a provider that was up went down: operators want to know
                log.warning("provider %s unavailable: %s", status.name, message)
            elif not status.error:  # never seen up (e.g. no Ollama on a laptop): not alarming
                log.info("provider %s unavailable: %s", status.name, message)
            status.healthy, status.error = False, message
        else:
            status.healthy, status.error, status.models = True, "", models
        status.checked_at = self._clock()

    async def models(self) -> list[ModelInfo]:
        """All known models, local before cloud; the embedded model last among local ones."""
        statuses = await self.refresh()
        found = [m for s in statuses for m in s.models]
        return sorted(found, key=lambda m: (m.locality != "local", m.provider == "embedded"))

    def unhealthy(self) -> frozenset[str]:
        bad = {m.ref for s in self._status.values() if not s.healthy for m in s.models}
        return frozenset(bad | self.breakers.blocked())  # open circuits, and half-open ones being probed

    def mark_failed(self, model: ModelInfo, error: ProviderError) -> None:
        """A runtime failure: count it on the model's circuit. An unreachable or silent provider is
        re-checked at the next turn rather than written off: one reset request must not take a whole
        provider out (the soak benchmark saw 43% refusals that way), while a provider that is really
        down fails its re-check at once and is then avoided for `failure_ttl`."""
        self.breakers.failure(model.ref, error=error.kind.value, retry_after=error.retry_after)
        if error.kind in ("unreachable", "timeout"):
            self._status[model.provider].checked_at = float("-inf")

    def mark_ok(self, model: ModelInfo) -> None:
        self.breakers.success(model.ref)

    def begin(self, model: ModelInfo) -> bool:
        """A turn starts using this model (claims the probe of a half-open circuit); False: avoid it."""
        return self.breakers.begin(model.ref)

    def settle(self, model: ModelInfo) -> None:
        """The turn using this model is over; frees a probe that got no verdict (e.g. cancelled)."""
        self.breakers.release(model.ref)

    def breaker_states(self) -> dict[str, CircuitView]:
        return self.breakers.snapshot()

    async def warm_up(self, local_model: str = "") -> list[str]:
        """Load the in-process local model at start-up when it is the one local turns will use: it is named in
        `routing.local_model`, or no other local provider answers. Returns the providers warmed."""
        statuses = await self.refresh()
        other_local = any(s.healthy and s.locality == "local" and s.name != "embedded" for s in statuses)
        warmed = []
        for status in statuses:
            warm = getattr(self.providers[status.name], "warm_up", None)
            wanted = local_model.startswith(f"{status.name}:") or not other_local
            if warm is None or not status.healthy or not wanted:
                continue
            try:
                await warm()
                warmed.append(status.name)
            except Exception as error:  # the first turn will load it (and report) instead
                log.warning("could not load %s at start-up: %s", status.name, error)
        return warmed

    def statuses(self) -> list[ProviderStatus]:
        return list(self._status.values())

    async def aclose(self) -> None:
        for provider in self.providers.values():
            try:
                await provider.aclose()
            except Exception:  # closing must never mask the real shutdown reason
                log.debug("error closing provider %s", provider.name, exc_info=True)
