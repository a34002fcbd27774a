"""The text tool protocol (bot/tools/text_protocol.py): one JSON call per step, everything else is an answer."""

from __future__ import annotations

import pytest

from bot.providers.base import ChatMessage, Finish, TextDelta, ToolCall, Usage
from bot.tools import text_protocol
from bot.tools.calculator import CALCULATOR


async def play(*texts: str) -> list:
    async def events():
        for text in texts:
            yield TextDelta(text)
        yield Usage(1, 1)
        yield Finish("stop")

    return [e async for e in text_protocol.parse_stream(events())]


@pytest.mark.parametrize(
    ("text", "name", "arguments"),
    [
        ('{"tool": "calculator", "arguments": {"expression": "1+1"}}', "calculator", {"expression": "1+1"}),
        ('  ```json\n{"tool": "now", "arguments": {}}\n```', "now", {}),
        ('{"name": "now", "parameters": {}}', "now", {}),
    ],
)
def test_a_reply_that_is_only_a_json_call_is_a_call(text: str, name: str, arguments: dict) -> None:
    call = text_protocol.parse_call(text)
    assert call is not None and (call.name, call.arguments) == (name, arguments)


@pytest.mark.parametrize(
    "text", ["The answer is 2.", '{"answer": 2}', '{"tool": "now"} and then some words', "{not json", "[1, 2]"]
)
def test_anything_else_is_no_call(text: str) -> None:
    assert text_protocol.parse_call(text) is None


def test_arguments_that_are_no_object_are_kept_raw_for_an_error_result() -> None:
    call = text_protocol.parse_call('{"tool": "calculator", "arguments": "1+1"}')
    assert call is not None and call.raw_arguments == '"1+1"' and call.arguments == {}


async def test_plain_text_streams_through_at_once() -> None:
    events = await play("Hello", " there")
    assert events[:2] == [TextDelta("Hello"), TextDelta(" there")] and events[-1] == Finish("stop")


async def test_a_streamed_call_is_held_back_and_becomes_one_tool_call() -> None:
    events = await play(" ", "`", '``json\n{"tool": "now",', ' "arguments": {}}\n```')
    assert not [e for e in events if isinstance(e, TextDelta)]
    [call] = [e for e in events if isinstance(e, ToolCall)]
    assert call.name == "now" and events[-1] == Finish("tool_calls")


async def test_text_that_only_looked_like_json_is_shown_at_the_end() -> None:
    events = await play("{curly", " braces}")
    assert TextDelta("{curly braces}") in events and events[-1] == Finish("stop")


def test_messages_for_a_model_without_native_tools() -> None:
    call = ToolCall("c1", "calculator", {"expression": "2*3"})
    messages = [
        ChatMessage("system", "Be brief."),
        ChatMessage("user", "2*3?"),
        ChatMessage("assistant", "", tool_calls=(call,)),
        ChatMessage("tool", "<tool_result>6</tool_result>", name="calculator", tool_call_id="c1"),
    ]
    out = text_protocol.to_text_messages(messages, [CALCULATOR])
    assert out[0].content.startswith("Be brief.") and "- calculator:" in out[0].content
    assert out[2] == ChatMessage("assistant", '{"tool": "calculator", "arguments": {"expression": "2*3"}}')
    assert out[3].role == "user" and "<tool_result>6</tool_result>" in out[3].content
    assert text_protocol.to_text_messages(messages, [])[0] == ChatMessage("system", "Be brief.")
