"""A tool-using conversation through the real clients (aiohttp SSE for OpenAI, the ollama client) against the
stand-ins: native tool calls stream in, run, and go back in each provider's own format; a model without the
`tools` capability uses the text protocol; faults mid-loop end the turn cleanly."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bot.engine import Turn
from bot.session import SessionKey
from bot.store_tools import tool_calls_of_turn
from tests.fakes.ollama_server import FakeOllama
from tests.fakes.openai_server import FakeOpenAI
from tests.helpers import RecordingSink, make_app

KEY = SessionKey("slack", "T1", "C1", "1700000000.000100")
CLOUD = '[routing]\ndefault_model = "cloud"\n[limits]\nenabled = false\n'
LOCAL = '[routing]\ndefault_model = "local"\n[limits]\nenabled = false\n'


def first_then_text(*calls: dict[str, Any]):
    """Answer with `calls` until the request carries a tool result, then with text."""

    def reply(body: dict[str, Any]) -> list[dict[str, Any]] | None:
        answered = any(m.get("role") == "tool" for m in body["messages"])
        return None if answered else list(calls)

    return reply


async def test_openai_streams_tool_calls_and_gets_results_in_its_format(tmp_path: Path, fake_openai: FakeOpenAI):
    fake_openai.tool_call_reply = first_then_text(
        {"name": "calculator", "arguments": {"expression": "12*12"}}, {"name": "now", "arguments": {}}
    )
    fake_openai.reply = "12 times 12 is 144."
    app = make_app(tmp_path, ollama_host=None, openai_url=fake_openai.base_url, toml=CLOUD)
    result = await app.engine.handle(Turn(KEY, "U1", "ann", "what is 12*12 and what time is it?"), RecordingSink())
    assert result.status == "done" and result.text == "12 times 12 is 144."
    first, second = fake_openai.chat_requests()
    assert {t["function"]["name"] for t in first["tools"]} == {"calculator", "now"}
    assistant = next(m for m in second["messages"] if m.get("tool_calls"))
    ids = [c["id"] for c in assistant["tool_calls"]]
    assert json.loads(assistant["tool_calls"][0]["function"]["arguments"]) == {"expression": "12*12"}
    results = [m for m in second["messages"] if m["role"] == "tool"]
    assert [m["tool_call_id"] for m in results] == ids and "12*12 = 144" in results[0]["content"]
    assert "🔧 2 tools" in result.route.footer
    assert [c.tool for c in tool_calls_of_turn(app.engine.store, result.turn_id)] == ["calculator", "now"]
    await app.engine.aclose()


async def test_ollama_native_tools_send_arguments_as_objects(tmp_path: Path, fake_ollama: FakeOllama):
    fake_ollama.tool_call_reply = first_then_text({"name": "calculator", "arguments": {"expression": "7+8"}})
    fake_ollama.reply = "It is 15."
    app = make_app(tmp_path, ollama_host=fake_ollama.host, openai_url=None, toml=LOCAL)
    result = await app.engine.handle(Turn(KEY, "U1", "ann", "7+8?"), RecordingSink())
    assert result.status == "done" and result.text == "It is 15." and result.route.locality == "local"
    first, second = fake_ollama.chat_requests()
    assert {t["function"]["name"] for t in first["tools"]} == {"calculator", "now"}
    assistant = next(m for m in second["messages"] if m.get("tool_calls"))
    assert assistant["tool_calls"][0]["function"]["arguments"] == {"expression": "7+8"}
    [tool] = [m for m in second["messages"] if m["role"] == "tool"]
    assert tool["tool_name"] == "calculator" and "7+8 = 15" in tool["content"]
    await app.engine.aclose()


async def test_an_ollama_model_without_the_tools_capability_uses_the_text_protocol(tmp_path: Path):
    models = {"tiny:1b": {"context_length": 4096, "capabilities": ["completion"]}}
    async with FakeOllama(models) as ollama:
        call = '{"tool": "calculator", "arguments": {"expression": "9*9"}}'
        ollama.reply = lambda body: "81." if "Result of the tool" in json.dumps(body) else call
        app = make_app(tmp_path, ollama_host=ollama.host, openai_url=None, toml=LOCAL)
        sink = RecordingSink()
        result = await app.engine.handle(Turn(KEY, "U1", "ann", "9*9?"), sink)
        assert result.text == "81." and sink.text == "81."
        first, second = ollama.chat_requests()
        assert "tools" not in first or not first["tools"]
        assert '"tool"' in first["messages"][0]["content"] and "calculator" in first["messages"][0]["content"]
        assert "9*9 = 81" in second["messages"][-1]["content"]
        await app.engine.aclose()


async def test_malformed_streamed_arguments_become_an_error_the_model_sees(tmp_path: Path, fake_openai: FakeOpenAI):
    fake_openai.tool_call_reply = first_then_text({"name": "calculator", "raw_arguments": '{"expression": "1+'})
    fake_openai.reply = "Let me try again later."
    app = make_app(tmp_path, ollama_host=None, openai_url=fake_openai.base_url, toml=CLOUD)
    result = await app.engine.handle(Turn(KEY, "U1", "ann", "1+?"), RecordingSink())
    assert result.status == "done"
    tool = next(m for m in fake_openai.chat_requests()[1]["messages"] if m["role"] == "tool")
    assert "error:bad_arguments" in tool["content"]
    assistant = next(m for m in fake_openai.chat_requests()[1]["messages"] if m.get("tool_calls"))
    assert assistant["tool_calls"][0]["function"]["arguments"] == '{"expression": "1+'  # echoed as sent
    await app.engine.aclose()


async def test_a_5xx_mid_loop_is_retried_and_a_lasting_one_ends_the_turn_without_rerunning_tools(
    tmp_path: Path, fake_openai: FakeOpenAI
):
    fake_openai.tool_call_reply = first_then_text({"name": "calculator", "arguments": {"expression": "2*2"}})
    fake_openai.reply = "4."
    app = make_app(tmp_path, ollama_host=None, openai_url=fake_openai.base_url, toml=CLOUD)
    first = await app.engine.handle(Turn(KEY, "U1", "ann", "2*2?"), RecordingSink())
    fake_openai.requests.clear()
    original = fake_openai.take_fault
    fake_openai.take_fault = lambda: None if len(fake_openai.chat_requests()) < 2 else original()  # type: ignore
    fake_openai.fail_all("status", status=503)
    second = await app.engine.handle(Turn(KEY, "U1", "ann", "and 2*2 again?"), RecordingSink())
    assert first.status == "done"
    assert second.status == "error" and "internal error" in second.error
    assert len(tool_calls_of_turn(app.engine.store, second.turn_id)) == 1  # ran once, not again on a fallback
    await app.engine.aclose()
