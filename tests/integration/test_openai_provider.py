"""OpenAIProvider with the real ``openai`` client against the OpenAI stand-in."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from aiohttp import web

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
from bot.providers.openai_provider import OpenAIProvider
from tests.fakes.fixtures import fake_openai  # noqa: F401
from tests.fakes.openai_server import FakeOpenAI, split_into_chunks

pytestmark = pytest.mark.timeout(20)

HI = [ChatMessage("user", "hi there")]
WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather for a city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}

MakeProvider = Callable[..., OpenAIProvider]


@pytest.fixture
def server(fake_openai: FakeOpenAI) -> FakeOpenAI:  # noqa: F811 (the imported fixture)
    return fake_openai


@pytest.fixture
async def make_provider(server: FakeOpenAI) -> AsyncIterator[MakeProvider]:
    made: list[OpenAIProvider] = []

    def make(**overrides: Any) -> OpenAIProvider:
        kwargs: dict[str, Any] = dict(
            base_url=server.base_url,
            api_key="sk-test",
            timeout=2.0,
            connect_timeout=1.0,
            idle_timeout=1.0,
            max_retries=0,
        )
        kwargs.update(overrides)
        made.append(OpenAIProvider(**kwargs))
        return made[-1]

    yield make
    for provider in made:
        await provider.aclose()


async def collect(provider: OpenAIProvider, model: str = "gpt-4o-mini", messages=HI, **kw: Any) -> list[StreamEvent]:
    return [event async for event in provider.stream_chat(model, messages, **kw)]


def text_of(events: list[StreamEvent]) -> str:
    return "".join(e.text for e in events if isinstance(e, TextDelta))


async def failure(provider: OpenAIProvider, model: str = "gpt-4o-mini") -> tuple[ProviderError, list[StreamEvent]]:
    """Run one turn that must fail; return the error and the events seen before it."""
    seen: list[StreamEvent] = []
    with pytest.raises(ProviderError) as caught:
        async for event in provider.stream_chat(model, HI):
            seen.append(event)
    return caught.value, seen


# --- streaming -------------------------------------------------------------------


async def test_streams_text_then_usage_then_one_finish(server, make_provider):
    events = await collect(make_provider())

    assert text_of(events) == "Hello from gpt-4o-mini. You said: hi there"
    usage = [e for e in events if isinstance(e, Usage)]
    assert usage == [Usage(prompt_tokens=2, completion_tokens=len(split_into_chunks(text_of(events))))]
    assert events[-1] == Finish("stop")
    assert sum(isinstance(e, Finish) for e in events) == 1

    (body,) = server.chat_requests()
    assert body["stream"] is True
    assert body["stream_options"] == {"include_usage": True}
    assert body["temperature"] == 0.7
    assert server.requests[-1].headers["authorization"] == "Bearer sk-test"


async def test_text_arrives_while_the_answer_is_still_streaming(server, make_provider):
    server.token_delay = 0.05
    start = time.monotonic()
    first_at = None
    async for event in make_provider().stream_chat("gpt-4o-mini", HI):
        if isinstance(event, TextDelta) and first_at is None:
            first_at = time.monotonic() - start
    total = time.monotonic() - start
    assert first_at is not None and total >= 0.3
    assert first_at < total / 2


async def test_chunks_read_together_are_one_text_event(make_provider):
    """Deltas that arrive in one network read reach the engine (and the sink) as one TextDelta."""
    words = [f" w{i}" for i in range(50)]
    frames = [{"choices": [{"index": 0, "delta": {"content": w}, "finish_reason": None}]} for w in words]
    frames.append({"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
    frames.append({"choices": [], "usage": {"prompt_tokens": 2, "completion_tokens": 50}})
    body = b"".join(b"data: " + json.dumps(f).encode() + b"\n\n" for f in frames) + b"data: [DONE]\n\n"

    async def all_at_once(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        await response.write(body)  # one write: the client reads it at once
        await response.write_eof()
        return response

    app = web.Application()
    app.router.add_post("/v1/chat/completions", all_at_once)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        url = f"http://127.0.0.1:{runner.addresses[0][1]}/v1"
        events = await collect(make_provider(base_url=url))
    finally:
        await runner.cleanup()
    deltas = [e for e in events if isinstance(e, TextDelta)]
    assert "".join(d.text for d in deltas) == "".join(words)
    assert len(deltas) < 5, f"{len(deltas)} text events for one read: deltas were not batched"
    assert events[-2:] == [Usage(2, 50), Finish("stop")]


async def test_chunks_sent_apart_are_one_text_event_each(server, make_provider):
    """Nothing waits to batch: chunks that arrive apart go on one by one, as they came."""
    server.token_delay = 0.02
    events = await collect(make_provider())
    deltas = [e for e in events if isinstance(e, TextDelta)]
    assert [d.text for d in deltas] == split_into_chunks("Hello from gpt-4o-mini. You said: hi there")


async def test_reply_can_be_scripted(server, make_provider):
    server.reply = lambda body: f"{len(body['messages'])} messages"
    assert text_of(await collect(make_provider())) == "1 messages"


async def test_speaker_names_go_into_user_content(server, make_provider):
    messages = [
        ChatMessage("system", "Be brief."),
        ChatMessage("user", "What time is it?", name="José Ñúñez"),
        ChatMessage("assistant", "Noon."),
        ChatMessage("tool", '{"temp": 21}', name="get_weather"),
    ]
    await collect(make_provider(), messages=messages)

    (body,) = server.chat_requests()
    assert body["messages"] == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "José Ñúñez: What time is it?"},
        {"role": "assistant", "content": "Noon."},
        {"role": "user", "content": '[Tool result from get_weather]\n{"temp": 21}'},
    ]
    assert server.saw_text("José Ñúñez")


async def test_max_tokens_cuts_the_answer_with_finish_length(server, make_provider):
    events = await collect(make_provider(), max_tokens=3)

    assert text_of(events) == "Hello from gpt-4o-mini."
    assert events[-1] == Finish("length")
    assert server.chat_requests()[0]["max_tokens"] == 3


async def test_reasoning_models_get_max_completion_tokens_and_no_temperature(server, make_provider):
    server.models.append("o4-mini")
    await collect(make_provider(), model="o4-mini", max_tokens=50, temperature=0.2)

    (body,) = server.chat_requests()
    assert body["max_completion_tokens"] == 50
    assert "max_tokens" not in body and "temperature" not in body


async def test_tool_calls_are_reassembled_from_fragments(server, make_provider):
    server.tool_call_reply = [
        {"name": "get_weather", "arguments": {"city": "Paris", "days": [1, 2], "note": 'say "hi"'}},
        {"name": "get_time", "arguments": {}},
    ]
    events = await collect(make_provider(), tools=[WEATHER_TOOL])

    calls = [e for e in events if isinstance(e, ToolCall)]
    assert [(c.name, c.arguments) for c in calls] == [
        ("get_weather", {"city": "Paris", "days": [1, 2], "note": 'say "hi"'}),
        ("get_time", {}),
    ]
    assert all(c.id.startswith("call_") for c in calls) and calls[0].id != calls[1].id
    assert text_of(events) == ""
    assert events[-1] == Finish("tool_calls")
    assert server.chat_requests()[0]["tools"] == [WEATHER_TOOL]


async def test_no_tool_call_when_no_tools_are_offered(server, make_provider):
    server.tool_call_reply = {"name": "get_weather", "arguments": {"city": "Paris"}}
    events = await collect(make_provider())

    assert not any(isinstance(e, ToolCall) for e in events)
    assert "tools" not in server.chat_requests()[0]


async def test_stopping_early_releases_the_connection(server, make_provider):
    provider = make_provider()
    stream = provider.stream_chat("gpt-4o-mini", HI)
    async for _ in stream:
        break
    await stream.aclose()
    assert text_of(await collect(provider)).startswith("Hello from")


# --- models ----------------------------------------------------------------------


async def test_list_models_asks_the_server_and_keeps_chat_models(server, make_provider):
    server.models = ["gpt-4o", "text-embedding-3-small", "o3-mini", "my-local-model"]
    provider = make_provider(context_lengths={"my-local-model": 32768})

    infos = {m.name: m for m in await provider.list_models()}

    assert set(infos) == {"gpt-4o", "o3-mini", "my-local-model"}
    assert infos["gpt-4o"].context_length == 128_000 and infos["gpt-4o"].vision
    assert infos["o3-mini"].context_length == 128_000 and not infos["o3-mini"].vision
    assert infos["my-local-model"].context_length == 32768
    assert all(m.tools and m.locality == "cloud" and m.provider == "openai" for m in infos.values())
    assert infos["gpt-4o"].ref == "openai:gpt-4o"
    assert [r.path for r in server.requests] == ["/v1/models"]


async def test_configured_models_need_no_request(server, make_provider):
    provider = make_provider(name="lab", models=["qwen-coder"], locality="local")

    (info,) = await provider.list_models()

    assert (info.ref, info.locality, info.context_length) == ("lab:qwen-coder", "local", 8192)
    assert server.requests == []


async def test_list_models_with_a_bad_key_is_an_auth_error(server, make_provider):
    server.api_key = "sk-right"
    with pytest.raises(ProviderError) as caught:
        await make_provider(api_key="sk-wrong").list_models()
    assert caught.value.kind is ErrorKind.AUTH and caught.value.status == 401


def test_an_empty_key_is_refused_rather_than_taken_from_the_environment(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-env")
    with pytest.raises(ProviderError) as caught:
        OpenAIProvider(base_url="http://127.0.0.1:9/v1", api_key="")
    assert caught.value.kind is ErrorKind.AUTH


# --- faults ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fault", "params", "kind", "status"),
    [
        ("status", {"status": 400}, ErrorKind.BAD_REQUEST, 400),
        ("status", {"status": 401}, ErrorKind.AUTH, 401),
        ("status", {"status": 403}, ErrorKind.AUTH, 403),
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
    assert error.provider == "openai" and error.model == "gpt-4o-mini"
    assert not any(isinstance(e, TextDelta) for e in seen)
    assert len(server.chat_requests()) == 1  # max_retries=0: no retry


async def test_wrong_api_key_is_an_auth_error(server, make_provider):
    server.api_key = "sk-right"
    error, _ = await failure(make_provider(api_key="sk-wrong"))
    assert error.kind is ErrorKind.AUTH


async def test_unknown_model_is_model_missing(server, make_provider):
    error, _ = await failure(make_provider(), model="gpt-9")
    assert (error.kind, error.status) == (ErrorKind.MODEL_MISSING, 404)
    assert "gpt-9" in error.message


async def test_rate_limit_carries_retry_after(server, make_provider):
    server.inject("status", status=429, retry_after=7)
    error, _ = await failure(make_provider())
    assert (error.kind, error.retry_after, error.status) == (ErrorKind.RATE_LIMITED, 7.0, 429)


async def test_unreachable_server(make_provider):
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    error, _ = await failure(make_provider(base_url=f"http://127.0.0.1:{port}/v1"))
    assert error.kind is ErrorKind.UNREACHABLE


async def test_stall_before_the_answer_is_a_timeout(server, make_provider):
    server.inject("stall", seconds=10)
    start = time.monotonic()
    error, _ = await failure(make_provider(timeout=0.3))
    assert error.kind is ErrorKind.TIMEOUT
    assert time.monotonic() - start < 2


async def test_idle_stream_before_text_is_a_timeout(server, make_provider):
    server.inject("stall_midstream", after=0, seconds=10)  # headers and role chunk, then silence
    start = time.monotonic()
    error, _ = await failure(make_provider(timeout=10, idle_timeout=0.3))
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
    assert text_of(seen) == "Hello from gpt-4o-mini."  # the three chunks sent before the break
    assert not any(isinstance(e, Finish) for e in seen)
    assert time.monotonic() - start < 2


async def test_sdk_retries_a_503_then_succeeds(server, make_provider):
    server.inject("status", count=2, status=503, retry_after=0.05)
    events = await collect(make_provider(max_retries=2))

    assert text_of(events).startswith("Hello from")
    assert len(server.chat_requests()) == 3


async def test_a_retry_after_within_the_cap_is_waited_then_retried(server, make_provider):
    server.inject("status", status=429, retry_after=0.3)
    start = time.monotonic()
    events = await collect(make_provider(max_retries=1, max_retry_wait=5))
    assert text_of(events).startswith("Hello from") and len(server.chat_requests()) == 2
    assert time.monotonic() - start >= 0.3, "the server's Retry-After was not waited"


async def test_a_retry_after_past_the_cap_is_not_waited_for(server, make_provider):
    server.inject("status", status=429, retry_after=60)
    start = time.monotonic()
    error, _ = await failure(make_provider(max_retries=2, max_retry_wait=5))
    assert (error.kind, error.retry_after) == (ErrorKind.RATE_LIMITED, 60.0)
    assert len(server.chat_requests()) == 1 and time.monotonic() - start < 1, "the engine falls back instead"


async def test_retries_are_bounded(server, make_provider):
    server.fail_all("status", status=503, retry_after=0.05)
    error, _ = await failure(make_provider(max_retries=1))

    assert error.kind is ErrorKind.SERVER
    assert len(server.chat_requests()) == 2
    server.clear_faults()
    assert text_of(await collect(make_provider())).startswith("Hello from")


async def test_chat_streams_go_through_the_proxy_from_the_environment(server, make_provider, monkeypatch):
    """HTTP(S)_PROXY applies to chat streams, as it did when they went through the SDK's httpx client."""
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{server.port}")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    monkeypatch.delenv("http_proxy", raising=False)
    events = await collect(make_provider(base_url="http://api.example.invalid/v1"))  # reachable only by proxy
    assert text_of(events).startswith("Hello from")
