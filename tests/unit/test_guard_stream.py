"""The repetition guard over a stream of provider events (an in-process stream: no protocol involved)."""

from __future__ import annotations

from collections.abc import AsyncIterator

from bot.providers.base import Finish, StreamEvent, TextDelta, ToolCall, Usage
from bot.providers.guarded import REPETITION, guard_repetition


async def events(*items: StreamEvent) -> AsyncIterator[StreamEvent]:
    for item in items:
        yield item


async def guarded(*items: StreamEvent) -> list[StreamEvent]:
    return [e async for e in guard_repetition(events(*items))]


def text(out: list[StreamEvent]) -> str:
    return "".join(e.text for e in out if isinstance(e, TextDelta))


async def test_text_held_back_comes_before_a_tool_call() -> None:
    call = ToolCall("c1", "search", {"q": "paris"})
    out = await guarded(TextDelta("Let me look it up up"), call, Finish("tool_calls"))
    assert text(out) == "Let me look it up up"
    assert out.index(call) > max(i for i, e in enumerate(out) if isinstance(e, TextDelta))
    assert out[-1] == Finish("tool_calls")


async def test_a_loop_ends_the_stream_with_a_repetition_finish() -> None:
    closed = False

    async def endless() -> AsyncIterator[StreamEvent]:
        nonlocal closed
        try:
            while True:
                yield TextDelta("ha ")
        finally:
            closed = True

    out = [e async for e in guard_repetition(endless())]
    assert text(out) == "ha " and out[-1] == Finish(REPETITION)
    assert closed, "the provider's stream is closed, so generation stops"


async def test_usage_and_finish_pass_through_after_the_text() -> None:
    out = await guarded(TextDelta("Paris."), Usage(5, 2), Finish("stop"))
    assert out == [TextDelta("Paris."), Usage(5, 2), Finish("stop")]
