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


class InProcessModel(ListingProvider):
    """A provider that loads a model into this process (as the embedded one does) when asked to warm up."""

    name = "embedded"

    def __init__(self, *, fails: bool = False) -> None:
        super().__init__()
        self.loads = 0
        self.fails = fails

    async def warm_up(self) -> None:
        self.loads += 1
        if self.fails:
            raise RuntimeError("no such file")


async def test_the_in_process_model_is_loaded_at_start_up_when_it_will_answer_local_turns() -> None:
    alone = InProcessModel()
    assert await Catalog([alone]).warm_up() == ["embedded"] and alone.loads == 1


async def test_another_local_model_answering_leaves_it_unloaded_unless_it_is_the_chosen_one() -> None:
    ollama = ListingProvider()
    ollama.name = "ollama"
    beside = InProcessModel()
    assert await Catalog([ollama, beside]).warm_up() == [] and beside.loads == 0
    assert await Catalog([ollama, beside]).warm_up("embedded:smollm2") == ["embedded"] and beside.loads == 1
    ollama.up = False  # the other local model is down: the in-process one will answer
    assert await Catalog([ollama, InProcessModel()]).warm_up() == ["embedded"]


async def test_a_model_that_fails_to_load_at_start_up_is_left_for_the_first_turn() -> None:
    broken = InProcessModel(fails=True)
    assert await Catalog([broken]).warm_up() == [] and broken.loads == 1
