"""Catalog health: one failed request must not write off a provider; a provider that is down is avoided."""

from __future__ import annotations

from bot.catalog import Catalog
from bot.providers.base import ErrorKind, ModelInfo, ProviderError

MODEL = ModelInfo("local", "m1", "local")


class ListingProvider:
    """Our own Provider protocol with a switchable listing (no wire protocol involved here)."""

    name, locality = "local", "local"

    def __init__(self) -> None:
        self.up = True
        self.listings = 0

    async def list_models(self) -> list[ModelInfo]:
        self.listings += 1
        if not self.up:
            raise ProviderError(ErrorKind.UNREACHABLE, "connection refused", provider=self.name)
        return [MODEL]

    async def aclose(self) -> None:
        pass


class Clock:
    now = 100.0

    def __call__(self) -> float:
        return self.now


async def test_a_reset_request_is_rechecked_not_written_off() -> None:
    provider, clock = ListingProvider(), Clock()
    catalog = Catalog([provider], health_ttl=30, failure_ttl=5, clock=clock)
    assert await catalog.models() == [MODEL]
    catalog.mark_failed(MODEL, ProviderError(ErrorKind.UNREACHABLE, "reset", provider="local", model="m1"))
    assert await catalog.models() == [MODEL]
    assert provider.listings == 2  # re-checked at once, within health_ttl
    assert MODEL.ref not in catalog.unhealthy()  # one failure does not open the circuit


async def test_a_provider_that_is_down_fails_its_recheck_and_is_avoided() -> None:
    provider, clock = ListingProvider(), Clock()
    catalog = Catalog([provider], health_ttl=30, failure_ttl=5, clock=clock)
    await catalog.models()
    provider.up = False
    catalog.mark_failed(MODEL, ProviderError(ErrorKind.UNREACHABLE, "refused", provider="local", model="m1"))
    await catalog.models()
    assert MODEL.ref in catalog.unhealthy()
    listings = provider.listings
    await catalog.models()
    assert provider.listings == listings  # the failed check is cached for failure_ttl
    clock.now += 6
    provider.up = True
    await catalog.models()
    assert MODEL.ref not in catalog.unhealthy()
