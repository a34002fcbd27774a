"""In-process providers for engine unit tests and benchmarks: no server, no network.

`InstantProvider` answers at once ("ok done"); `ScriptedProvider` plays given events, can fail
before its first event, or wait on an `asyncio.Event` mid-answer (to test a user's stop).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from typing import Any

from bot.providers.base import ChatMessage, Finish, ModelInfo, ProviderError, StreamEvent, TextDelta, Usage


class InstantProvider:
    name = "instant"
    locality = "local"

    async def list_models(self) -> list[ModelInfo]:
        return [ModelInfo("instant", "echo", "local", context_length=8192)]

    async def stream_chat(self, model: str, messages: list[ChatMessage], **_: object) -> AsyncIterator:
        yield TextDelta("ok ")
        yield TextDelta("done")
        yield Usage(len(messages), 2)
        yield Finish("stop")

    async def aclose(self) -> None:
        pass


class ScriptedProvider:
    """One model, `name:model`, that plays `events`; `fail` is raised before any event, `hold` (if set)
    is awaited after the first event. `calls` records every prompt it was sent, `tools` the tool
    definitions sent with each. With `steps`, call n plays steps[n] (the last one repeats): a tool loop's
    model steps. `tools_capable` is its native tool calling (False: the text protocol is used)."""

    def __init__(
        self,
        name: str,
        *,
        locality: str = "local",
        events: Sequence[StreamEvent] = (TextDelta("fine"), Finish("stop")),
        steps: Sequence[Sequence[StreamEvent]] = (),
        fail: ProviderError | None = None,
        hold: asyncio.Event | None = None,
        tools_capable: bool = True,
    ) -> None:
        self.name, self.locality = name, locality
        self.events, self.fail, self.hold = list(events), fail, hold
        self.steps = [list(step) for step in steps]
        self.tools_capable = tools_capable
        self.calls: list[list[ChatMessage]] = []
        self.tools: list[list[dict] | None] = []

    async def list_models(self) -> list[ModelInfo]:
        info = ModelInfo(self.name, "m", self.locality, context_length=8192, tools=self.tools_capable)  # type: ignore[arg-type]
        return [info]

    async def stream_chat(self, model: str, messages: list[ChatMessage], **kw: Any) -> AsyncIterator:
        self.calls.append(messages)
        self.tools.append(kw.get("tools"))
        if self.fail is not None:
            raise self.fail
        events = self.steps[min(len(self.calls), len(self.steps)) - 1] if self.steps else self.events
        for index, event in enumerate(events):
            yield event
            if index == 0 and self.hold is not None:
                await self.hold.wait()

    async def aclose(self) -> None:
        pass
