"""A provider wrapper applied where providers are built: per-model generation settings and a repetition guard.

The engine asks with the agent's temperature and the bot's answer cap; this wrapper turns those into what
suits the model (``sampling.profile_for``), and stops an answer that starts looping, keeping it up to the
loop and ending it with ``Finish("repetition")`` so the engine can say why it stopped.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Any

from bot.providers.base import (
    ChatMessage,
    Finish,
    ModelInfo,
    Provider,
    ProviderError,
    StreamEvent,
    TextDelta,
)
from bot.providers.repetition import LoopDetector
from bot.providers.sampling import GenerationProfile, Sampling, profile_for

REPETITION = "repetition"  # the Finish reason of an answer stopped because it looped


class GuardedProvider:
    """Wraps one provider; everything but ``stream_chat`` passes straight through."""

    def __init__(
        self,
        inner: Provider,
        overrides: Mapping[str, Mapping[str, Any]] | None = None,
        *,
        repetition_guard: bool = True,
    ) -> None:
        self.inner = inner
        self.overrides = dict(overrides or {})
        self.repetition_guard = repetition_guard
        self._profiles: dict[str, GenerationProfile] = {}

    def __getattr__(self, name: str) -> Any:  # name, locality, and whatever else the provider offers
        return getattr(self.inner, name)

    def profile(self, model: str) -> GenerationProfile:
        if model not in self._profiles:
            self._profiles[model] = profile_for(self.inner.name, model, self.overrides)
        return self._profiles[model]

    async def list_models(self) -> list[ModelInfo]:
        return await self.inner.list_models()

    async def aclose(self) -> None:
        await self.inner.aclose()

    async def stream_chat(
        self,
        model: str,
        messages: list[ChatMessage],
        *,
        temperature: float = 0.7,
        max_tokens: int | None = None,
        tools: list[dict[str, Any]] | None = None,
        sampling: Sampling | None = None,
        grammar: str | None = None,
    ) -> AsyncIterator[StreamEvent]:
        profile = self.profile(model)
        knobs = sampling or profile.sampling()
        extra: dict[str, Any] = {"sampling": knobs} if knobs.options() else {}  # none for providers without knobs
        if grammar is not None:
            extra["grammar"] = grammar  # only asked of providers that declare `accepts_grammar`
        stream = self.inner.stream_chat(
            model,
            messages,
            temperature=profile.temperature_for(temperature),
            max_tokens=profile.max_tokens_for(max_tokens),
            tools=tools,
            **extra,
        )
        if not self.repetition_guard:
            async for event in stream:
                yield event
            return
        async for event in guard_repetition(stream):
            yield event


async def guard_repetition(stream: AsyncIterator[StreamEvent]) -> AsyncIterator[StreamEvent]:
    """Pass the stream through, holding back repeating words; stop it at the first loop."""
    detector = LoopDetector()
    try:
        async for event in stream:
            if isinstance(event, TextDelta):
                if shown := detector.feed(event.text):
                    yield TextDelta(shown)
                if detector.looped:
                    yield Finish(REPETITION)
                    return
                continue
            if rest := detector.flush():  # a tool call, usage or the end: the held-back text comes first
                yield TextDelta(rest)
            yield event
    except ProviderError:
        if rest := detector.flush():  # the words held back are part of the answer that did arrive
            yield TextDelta(rest)
        raise
    finally:
        await stream.aclose()  # type: ignore[attr-defined]
