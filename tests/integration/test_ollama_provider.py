"""OllamaProvider with the real ``ollama`` client against the Ollama stand-in."""

from __future__ import annotations

import socket
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from bot.providers.base import (
    ChatMessage,
    ErrorKind,
    Finish,
    ProviderError,
    StreamEvent,
    TextDelta,
    ToolCall,
    Usage,
)
from bot.providers.ollama_provider import OllamaProvider
from tests.fakes.fixtures import fake_ollama  # noqa: F401
from tests.fakes.ollama_server import FakeOllama

pytestmark = pytest.mark.timeout(20)

MODEL = "llama3.2:3b"
HI = [ChatMessage("user", "hi there")]
WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather for a city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}

MakeProvider = Callable[..., OllamaProvider]


@pytest.fixture
def server(fake_ollama: FakeOllama) -> FakeOllama:  # noqa: F811 (the imported fixture)
    return fake_ollama


@pytest.fixture
async def make_provider(server: FakeOllama) -> AsyncIterator[MakeProvider]:
    made: list[OllamaProvider] = []

    def make(**overrides: Any) -> OllamaProvider:
        kwargs: dict[str, Any] = dict(host=server.host, timeout=2.0, connect_timeout=1.0, idle_timeout=1.0)
        kwargs.update(overrides)
        made.append(OllamaProvider(**kwargs))
        return made[-1]

    yield make
    for provider in made:
        await provider.aclose()


async def collect(provider: OllamaProvider, model: str = MODEL, messages=HI, **kw: Any) -> list[StreamEvent]:
    return [event async for event in provider.stream_chat(model, messages, **kw)]


def text_of(events: list[StreamEvent]) -> str:
    return "".join(e.text for e in events if isinstance(e, TextDelta))


async def failure(provider: OllamaProvider, model: str = MODEL) -> tuple[ProviderError, list[StreamEvent]]:
    """Run one turn that must fail; return the error and the events seen before it."""
    seen: list[StreamEvent] = []
    with pytest.raises(ProviderError) as caught:
        async for event in provider.stream_chat(model, HI):
            seen.append(event)
    return caught.value, seen


# --- streaming -------------------------------------------------------------------


async def test_streams_text_then_usage_then_one_finish(server, make_provider):
    server.token_delay = 0.02  # lines apart: each is its own TextDelta
    events = await collect(make_provider())

    assert text_of(events) == "Local answer from llama3.2:3b. You said: hi there"
    deltas = [e for e in events if isinstance(e, TextDelta)]
    assert len(deltas) > 3
    assert [e for e in events if isinstance(e, Usage)] == [Usage(prompt_tokens=2, completion_tokens=len(deltas))]
    assert events[-1] == Finish("stop")
    assert sum(isinstance(e, Finish) for e in events) == 1


async def test_lines_read_together_are_one_text_event(server, make_provider):
    """An answer whose lines all arrive at once (a busy loop, an instant model) reaches the engine as one or two
    TextDeltas with the same text; usage and the finish still come last, in order."""
    server.reply = " ".join(f"w{i}" for i in range(30))
    events = await collect(make_provider())

    deltas = [e for e in events if isinstance(e, TextDelta)]
    assert text_of(events) == server.reply
    assert 1 <= len(deltas) <= 2, f"{len(deltas)} text events for lines read together: not batched"
    assert events[-2:] == [Usage(prompt_tokens=2, completion_tokens=30), Finish("stop")]


async def test_sends_num_ctx_temperature_and_keep_alive(server, make_provider):
    await collect(make_provider(keep_alive="30m"), temperature=0.2)

    (body,) = server.chat_requests()
    assert body["stream"] is True
    assert body["keep_alive"] == "30m"
    assert body["options"] == {"num_ctx": 8192, "temperature": 0.2}
    assert "num_predict" not in body["options"]


@pytest.mark.parametrize(
    ("model", "max_context", "num_ctx"),
    [
        ("llama3.2:3b", 4096, 4096),  # capped by configuration
        ("qwen2.5:7b", 16384, 16384),
        ("qwen2.5:7b", 65536, 32768),  # capped by the model
    ],
)
async def test_num_ctx_is_the_smaller_of_model_and_configured_context(
    server, make_provider, model, max_context, num_ctx
):
    provider = make_provider(max_context=max_context)
    await collect(provider, model=model)

    assert server.chat_requests()[0]["options"]["num_ctx"] == num_ctx
    assert (await provider.model_info(model)).context_length == num_ctx


async def test_max_tokens_becomes_num_predict(server, make_provider):
    events = await collect(make_provider(), max_tokens=3)

    assert server.chat_requests()[0]["options"]["num_predict"] == 3
    assert text_of(events) == "Local answer from"
    assert events[-1] == Finish("length")


async def test_speaker_names_are_prefixed_to_user_content(server, make_provider):
    messages = [
        ChatMessage("system", "Be brief."),
        ChatMessage("user", "What time is it?", name="Ana"),
        ChatMessage("assistant", "Noon."),
        ChatMessage("tool", '{"temp": 21}', name="get_weather"),
    ]
    await collect(make_provider(), messages=messages)

    assert server.chat_requests()[0]["messages"] == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Ana: What time is it?"},
        {"role": "assistant", "content": "Noon."},
        {"role": "tool", "content": '{"temp": 21}', "tool_name": "get_weather"},
    ]


async def test_tool_calls_arrive_with_object_arguments(server, make_provider):
    server.tool_call_reply = {"name": "get_weather", "arguments": {"city": "Paris", "days": [1, 2]}}
    events = await collect(make_provider(), tools=[WEATHER_TOOL])

    (call,) = [e for e in events if isinstance(e, ToolCall)]
    assert (call.name, call.arguments) == ("get_weather", {"city": "Paris", "days": [1, 2]})
    assert call.id.startswith("call_")
    assert events[-1] == Finish("tool_calls")
    sent_tool = server.chat_requests()[0]["tools"][0]
    assert sent_tool["function"]["name"] == "get_weather"
    assert sent_tool["function"]["parameters"]["required"] == ["city"]


async def test_stopping_early_releases_the_connection(server, make_provider):
    provider = make_provider()
    stream = provider.stream_chat(MODEL, HI)
    async for _ in stream:
        break
    await stream.aclose()
    assert text_of(await collect(provider)).startswith("Local answer")


# --- models ----------------------------------------------------------------------


async def test_list_models_reads_context_and_capabilities(server, make_provider):
    server.models["llava:7b"] = {"context_length": 4096, "capabilities": ["completion", "vision"]}
    provider = make_provider(name="gpu-box", max_context=16384)

    infos = {m.name: m for m in await provider.list_models()}

    assert set(infos) == {"llama3.2:3b", "qwen2.5:7b", "llava:7b"}
    assert infos["llama3.2:3b"].context_length == 8192
    assert infos["qwen2.5:7b"].context_length == 16384  # 32768, capped at max_context
    assert infos["llava:7b"].context_length == 4096
    assert infos["qwen2.5:7b"].tools and not infos["qwen2.5:7b"].vision
    assert infos["llava:7b"].vision and not infos["llava:7b"].tools
    assert all(m.locality == "local" for m in infos.values())
    assert infos["llava:7b"].ref == "gpu-box:llava:7b"


async def test_show_results_are_cached(server, make_provider):
    provider = make_provider()
    await provider.list_models()
    await provider.list_models()
    await collect(provider)

    paths = [r.path for r in server.requests]
    assert paths.count("/api/tags") == 2
    assert paths.count("/api/show") == 2  # once per model
    shown = [r.json["model"] for r in server.requests if r.path == "/api/show"]
    assert sorted(shown) == ["llama3.2:3b", "qwen2.5:7b"]


@pytest.fixture
def dead_host() -> str:
    """An address nobody listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


async def test_list_models_when_ollama_is_down(make_provider, dead_host):
    with pytest.raises(ProviderError) as caught:
        await make_provider(host=dead_host).list_models()
    assert caught.value.kind is ErrorKind.UNREACHABLE


# --- faults ----------------------------------------------------------------------


async def test_chat_when_ollama_is_down(make_provider, dead_host):
    error, _ = await failure(make_provider(host=dead_host))  # fails at /api/show
    assert error.kind is ErrorKind.UNREACHABLE


async def test_chat_when_ollama_goes_down_after_listing(server, make_provider):
    provider = make_provider()
    await provider.list_models()
    await server.stop()

    error, _ = await failure(provider)  # fails at /api/chat
    assert error.kind is ErrorKind.UNREACHABLE


async def test_unknown_model_is_model_missing(server, make_provider):
    error, _ = await failure(make_provider(), model="mistral:7b")
    assert (error.kind, error.status, error.model) == (ErrorKind.MODEL_MISSING, 404, "mistral:7b")
    assert server.chat_requests() == []  # /api/show already said no


async def test_model_removed_after_show_is_model_missing(server, make_provider):
    provider = make_provider()
    await provider.list_models()
    del server.models[MODEL]

    error, _ = await failure(provider)
    assert (error.kind, error.status) == (ErrorKind.MODEL_MISSING, 404)


@pytest.mark.parametrize(
    ("fault", "params", "kind", "status"),
    [
        ("status", {"status": 400}, ErrorKind.BAD_REQUEST, 400),
        ("status", {"status": 401}, ErrorKind.AUTH, 401),
        ("status", {"status": 429, "retry_after": 5}, ErrorKind.RATE_LIMITED, 429),
        ("status", {"status": 500}, ErrorKind.SERVER, 500),
        ("status", {"status": 503}, ErrorKind.SERVER, 503),
        ("reset", {}, ErrorKind.UNREACHABLE, None),
        ("error_midstream", {"after": 0}, ErrorKind.SERVER, None),
    ],
)
async def test_faults_before_any_text_are_classified(server, make_provider, fault, params, kind, status):
    server.inject(fault, **params)
    error, seen = await failure(make_provider())

    assert (error.kind, error.status) == (kind, status)
    assert error.provider == "ollama" and error.model == MODEL
    assert seen == []
    assert len(server.chat_requests()) == 1  # the ollama client never retries


async def test_stall_before_the_answer_is_a_timeout(server, make_provider):
    server.inject("stall", seconds=10)
    start = time.monotonic()
    error, _ = await failure(make_provider(timeout=0.3))
    assert error.kind is ErrorKind.TIMEOUT
    assert time.monotonic() - start < 2


@pytest.mark.parametrize(
    ("fault", "params"),
    [
        ("drop_midstream", {"after": 3}),
        ("drop_midstream", {"after": 3, "rst": True}),
        ("stall_midstream", {"after": 3, "seconds": 10}),
        ("error_midstream", {"after": 3}),
    ],
)
async def test_breaks_after_text_started_are_interruptions(server, make_provider, fault, params):
    server.inject(fault, **params)
    start = time.monotonic()
    error, seen = await failure(make_provider(timeout=10, idle_timeout=0.3))

    assert error.kind is ErrorKind.INTERRUPTED
    assert text_of(seen) == "Local answer from"
    assert not any(isinstance(e, Finish) for e in seen)
    assert time.monotonic() - start < 2


async def test_faults_are_consumed_in_order_then_service_resumes(server, make_provider):
    provider = make_provider()
    server.inject("status", status=503)
    server.inject("reset")

    assert (await failure(provider))[0].kind is ErrorKind.SERVER
    assert (await failure(provider))[0].kind is ErrorKind.UNREACHABLE
    assert text_of(await collect(provider)).startswith("Local answer")
