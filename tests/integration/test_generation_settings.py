"""Per-model generation settings and the repetition guard, through the real clients against the stand-ins.

Providers come from `build_providers`, as in the bot, so every provider is wrapped the way users meet it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.config import load_settings
from bot.engine import Turn
from bot.messages import STOPPED_REPEATING
from bot.providers.base import ChatMessage, ErrorKind, Finish, Provider, ProviderError, StreamEvent, TextDelta
from bot.providers.factory import build_providers
from bot.session import SessionKey
from tests.fakes.ollama_server import FakeOllama
from tests.fakes.openai_server import FakeOpenAI
from tests.helpers import API_KEY, RecordingSink, make_app

TINY = {"context_length": 2048, "capabilities": ["completion"], "family": "qwen2", "parameter_size": "494M"}
LARGE = {"context_length": 8192, "capabilities": ["completion"], "family": "llama", "parameter_size": "3.2B"}
ASK = [ChatMessage("user", "What is the capital of France?")]
LOOP = "The capital is Paris. " + "La capitale de la France est Paris. " * 40


def providers(tmp_path: Path, toml: str = "", **env: str) -> dict[str, Provider]:
    config = tmp_path / "bot.toml"
    config.write_text("[embedded]\nenabled = false\n" + toml)
    built, _ = build_providers(load_settings(config, env={"OLLAMA_HOST": "http://127.0.0.1:9", **env}))
    return {p.name: p for p in built}


async def collect(provider: Provider, model: str, **kwargs: Any) -> list[StreamEvent]:
    return [e async for e in provider.stream_chat(model, ASK, **kwargs)]


def text_of(events: list[StreamEvent]) -> str:
    return "".join(e.text for e in events if isinstance(e, TextDelta))


async def test_tiny_ollama_model_samples_cooler_with_a_penalty(tmp_path: Path) -> None:
    async with FakeOllama({"qwen2.5:0.5b": TINY, "llama3.2:3b": LARGE}) as server:
        ollama = providers(tmp_path, OLLAMA_HOST=server.host)["ollama"]
        await collect(ollama, "qwen2.5:0.5b", temperature=0.7, max_tokens=1024)
        await collect(ollama, "llama3.2:3b", temperature=0.7, max_tokens=1024)
        await ollama.aclose()
        tiny, large = (r["options"] for r in server.chat_requests())
    assert tiny["temperature"] == 0.21 and tiny["num_predict"] == 256
    assert (tiny["top_p"], tiny["min_p"], tiny["repeat_penalty"]) == (0.9, 0.05, 1.1)
    assert large["temperature"] == 0.7 and large["num_predict"] == 1024
    assert not {"top_p", "min_p", "repeat_penalty"} & set(large)


async def test_config_overrides_reach_a_local_openai_compatible_server(tmp_path: Path) -> None:
    toml = (
        '[openai]\nlocality = "local"\nmodels = ["smollm2-360m-instruct"]\n'
        '[generation.models."openai:smollm2-360m-instruct"]\ntemperature = 0.05\nrepeat_penalty = 1.3\n'
    )
    async with FakeOpenAI(["smollm2-360m-instruct"]) as server:
        openai = providers(tmp_path, toml, OPENAI_BASE_URL=server.base_url, OPENAI_API_KEY=API_KEY)["openai"]
        await collect(openai, "smollm2-360m-instruct", temperature=0.7, max_tokens=1024)
        await openai.aclose()
        (body,) = server.chat_requests()
    assert body["temperature"] == 0.05 and body["max_tokens"] == 256
    assert (body["top_p"], body["min_p"], body["repeat_penalty"]) == (0.9, 0.05, 1.3)  # extra_body fields


async def test_a_cloud_model_gets_only_standard_parameters(tmp_path: Path) -> None:
    toml = '[generation.models."gpt-4o"]\ntop_p = 0.5\nmin_p = 0.1\n'
    async with FakeOpenAI(["gpt-4o"]) as server:
        openai = providers(tmp_path, toml, OPENAI_BASE_URL=server.base_url, OPENAI_API_KEY=API_KEY)["openai"]
        await collect(openai, "gpt-4o", temperature=0.7, max_tokens=1024)
        await openai.aclose()
        (body,) = server.chat_requests()
    assert body["top_p"] == 0.5 and body["temperature"] == 0.7
    assert "min_p" not in body  # OpenAI's API rejects unknown parameters


async def test_a_looping_answer_is_cut_after_its_first_copy(tmp_path: Path) -> None:
    async with FakeOpenAI(["gpt-4o"]) as server:
        server.reply = LOOP
        openai = providers(tmp_path, OPENAI_BASE_URL=server.base_url, OPENAI_API_KEY=API_KEY)["openai"]
        events = await collect(openai, "gpt-4o", temperature=0.7)
        await openai.aclose()
    assert text_of(events) == "The capital is Paris. La capitale de la France est Paris. "
    assert events[-1] == Finish("repetition")


async def test_the_guard_can_be_switched_off(tmp_path: Path) -> None:
    async with FakeOpenAI(["gpt-4o"]) as server:
        server.reply = LOOP
        toml = "[generation]\nrepetition_guard = false\n"
        openai = providers(tmp_path, toml, OPENAI_BASE_URL=server.base_url, OPENAI_API_KEY=API_KEY)["openai"]
        events = await collect(openai, "gpt-4o", temperature=0.7)
        await openai.aclose()
    assert text_of(events) == LOOP and events[-1] == Finish("stop")


async def test_engine_keeps_the_answer_up_to_the_loop_and_says_why_it_stopped(tmp_path: Path) -> None:
    async with FakeOllama() as server:
        server.reply = LOOP
        app = make_app(tmp_path, ollama_host=server.host, openai_url=None)
        sink = RecordingSink()
        try:
            result = await app.engine.handle(Turn(SessionKey("console", "local", "c"), "U1", "u1", "hi"), sink)
        finally:
            await app.engine.aclose()
    kept = "The capital is Paris. La capitale de la France est Paris."
    assert result.status == "done" and result.text.strip() == kept
    assert sink.text.strip() == kept  # the reader never saw the repeats
    assert STOPPED_REPEATING in result.notices


async def test_words_held_back_still_reach_the_reader_when_the_stream_breaks(tmp_path: Path) -> None:
    async with FakeOpenAI(["gpt-4o"]) as server:
        server.reply = "Paris is lovely and Paris is big and more"
        server.inject("drop_midstream", after=6)  # "Paris is lovely and Paris is": the last two words repeat
        openai = providers(tmp_path, OPENAI_BASE_URL=server.base_url, OPENAI_API_KEY=API_KEY)["openai"]
        seen: list[str] = []
        with pytest.raises(ProviderError) as caught:
            async for event in openai.stream_chat("gpt-4o", ASK, temperature=0.7):
                if isinstance(event, TextDelta):
                    seen.append(event.text)
        await openai.aclose()
    assert caught.value.kind is ErrorKind.INTERRUPTED
    assert "".join(seen) == "Paris is lovely and Paris is"
