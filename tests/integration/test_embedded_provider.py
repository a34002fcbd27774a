"""The embedded provider running the real SmolLM2-135M model through its default runtime (xllamacpp).

Skipped only where the runtime or the model package is missing (CI installs both).
Answers are asserted on behaviour, never on wording. The optional llama-cpp-python runtime has its own test
at the end, run in a child process.
"""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Awaitable
from pathlib import Path

import pytest

from bot.providers import embedded_runtimes as runtimes
from bot.providers.base import (
    ChatMessage,
    ErrorKind,
    Finish,
    Provider,
    ProviderError,
    StreamEvent,
    TextDelta,
    Usage,
)
from bot.providers.embedded import EmbeddedProvider
from tests.helpers import requires_embedded

pytestmark = [pytest.mark.embedded, pytest.mark.slow, requires_embedded()]

QUESTION = [ChatMessage("user", "What is the capital of France? Answer in one sentence.")]
LONG_ASK = [ChatMessage("user", "Write a long story about a cat who travels around the world.")]


@pytest.fixture
async def provider() -> AsyncIterator[EmbeddedProvider]:
    p = EmbeddedProvider()
    yield p
    await p.aclose()


async def collect(p: EmbeddedProvider, messages: list[ChatMessage], **kwargs: object) -> list[StreamEvent]:
    return [e async for e in p.stream_chat(p.model_name, messages, temperature=0, **kwargs)]  # type: ignore[arg-type]


def text_of(events: list[StreamEvent]) -> str:
    return "".join(e.text for e in events if isinstance(e, TextDelta))


async def generation_stops_within(seconds: float) -> bool:
    """True once no generation thread is alive; False if one is still running after ``seconds``."""
    deadline = time.perf_counter() + seconds
    while any(t.name.endswith("-generate") for t in threading.enumerate()):
        if time.perf_counter() > deadline:
            return False
        await asyncio.sleep(0.005)
    return True


async def test_short_answer_streams_with_usage_and_one_finish(provider: EmbeddedProvider) -> None:
    assert isinstance(provider, Provider)
    events = await collect(provider, QUESTION, max_tokens=32)

    deltas = [e for e in events if isinstance(e, TextDelta)]
    assert len(deltas) >= 3, "answer should arrive in several pieces, not one block"
    assert text_of(events).strip()
    assert [type(e) for e in events].count(Finish) == 1
    assert isinstance(events[-1], Finish)
    assert events[-1].reason in {"stop", "length"}
    (usage,) = [e for e in events if isinstance(e, Usage)]
    assert usage.prompt_tokens > 0
    assert 0 < usage.completion_tokens <= 32


async def test_same_prompt_at_temperature_zero_is_deterministic(provider: EmbeddedProvider) -> None:
    first = await collect(provider, QUESTION, max_tokens=24)
    second = await collect(provider, QUESTION, max_tokens=24)
    assert text_of(first) == text_of(second)


async def test_concurrent_turns_are_serialized_not_interleaved(provider: EmbeddedProvider) -> None:
    alone = text_of(await collect(provider, QUESTION, max_tokens=24))
    both = await asyncio.gather(collect(provider, QUESTION, max_tokens=24), collect(provider, QUESTION, max_tokens=24))
    assert [text_of(events) for events in both] == [alone, alone]


async def test_tokens_queued_while_the_loop_was_busy_are_one_text_event(provider: EmbeddedProvider) -> None:
    """Tokens the generation thread queued while the event loop was blocked reach the engine as one TextDelta
    (bot/providers/batching.py); the text is the same as when each token goes on alone."""
    alone = await collect(provider, QUESTION, max_tokens=24)
    events: list[StreamEvent] = []
    async for event in provider.stream_chat(provider.model_name, QUESTION, temperature=0, max_tokens=24):
        if not events and isinstance(event, TextDelta):
            deadline = time.perf_counter() + 30
            while any(t.name.endswith("-generate") for t in threading.enumerate()) and time.perf_counter() < deadline:
                time.sleep(0.02)  # noqa: ASYNC251 (on purpose: the loop is blocked while the thread queues every token)
        events.append(event)

    assert text_of(events) == text_of(alone)
    assert len([e for e in alone if isinstance(e, TextDelta)]) >= 3
    assert len([e for e in events if isinstance(e, TextDelta)]) == 2  # the first token, then all the rest
    assert [type(e) for e in events[-2:]] == [Usage, Finish]


async def loop_gaps_while(work: Awaitable[object]) -> list[float]:
    """The gaps between ticks of a 5 ms ticker on the event loop while ``work`` runs."""
    gaps: list[float] = []
    stop = asyncio.Event()

    async def ticker() -> None:
        last = time.perf_counter()
        while not stop.is_set():
            await asyncio.sleep(0.005)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now

    tick_task = asyncio.create_task(ticker())
    try:
        await work
    finally:
        stop.set()
        await tick_task
    return gaps


async def test_event_loop_keeps_ticking_during_generation(provider: EmbeddedProvider) -> None:
    await collect(provider, QUESTION, max_tokens=1)  # loaded: see the next test for the load
    events: list[StreamEvent] = []

    async def answer() -> None:
        events.extend(await collect(provider, LONG_ASK, max_tokens=160))

    gaps = await loop_gaps_while(answer())
    assert len([e for e in events if isinstance(e, TextDelta)]) > 10
    assert len(gaps) > 20
    # A blocked loop would stall for the whole generation (~1 s); the bound leaves room for a loaded machine.
    assert max(gaps) < 0.25, f"event loop stalled for {max(gaps) * 1000:.0f} ms"


async def test_loading_stalls_the_event_loop_at_most_once_and_briefly() -> None:
    # xllamacpp's Server() holds the GIL while llama.cpp loads the file (0.4 s on a quiet machine here, 1.6 s
    # with other jobs running): the one stall the embedded model causes, on its first turn. It must stay well
    # inside the 3 s in which platforms want their acks; a second turn must not stall again.
    p = EmbeddedProvider()
    try:
        first = await loop_gaps_while(collect(p, QUESTION, max_tokens=8))
        second = await loop_gaps_while(collect(p, QUESTION, max_tokens=8))
    finally:
        await p.aclose()
    assert max(first) < 2.5, f"loading stalled the event loop for {max(first) * 1000:.0f} ms"
    assert max(second) < 0.25, f"a loaded model stalled the event loop for {max(second) * 1000:.0f} ms"


async def test_closing_the_stream_stops_generation_promptly(provider: EmbeddedProvider) -> None:
    stream = provider.stream_chat(provider.model_name, LONG_ASK, temperature=0, max_tokens=400)
    received = 0
    async for event in stream:
        received += isinstance(event, TextDelta)
        if received == 3:
            break
    started = time.perf_counter()
    await stream.aclose()  # type: ignore[attr-defined]
    assert time.perf_counter() - started < 1.5  # the full 400-token answer would take several seconds
    assert await generation_stops_within(1.5)

    events = await collect(provider, QUESTION, max_tokens=16)
    assert text_of(events).strip() and isinstance(events[-1], Finish)


async def test_cancelling_the_consumer_task_stops_generation(provider: EmbeddedProvider) -> None:
    got_text = asyncio.Event()

    async def consume() -> None:
        async for event in provider.stream_chat(provider.model_name, LONG_ASK, temperature=0, max_tokens=400):
            if isinstance(event, TextDelta):
                got_text.set()

    task = asyncio.create_task(consume())
    await asyncio.wait_for(got_text.wait(), timeout=10)
    started = time.perf_counter()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert time.perf_counter() - started < 1.5  # the full 400-token answer would take several seconds
    assert await generation_stops_within(1.5)

    events = await collect(provider, QUESTION, max_tokens=16)
    assert text_of(events).strip() and isinstance(events[-1], Finish)


async def test_closing_the_provider_ends_a_live_stream_as_cancelled(provider: EmbeddedProvider) -> None:
    got_text = asyncio.Event()
    events: list[StreamEvent] = []

    async def consume() -> None:
        async for event in provider.stream_chat(provider.model_name, LONG_ASK, temperature=0, max_tokens=400):
            events.append(event)
            got_text.set()

    task = asyncio.create_task(consume())
    await asyncio.wait_for(got_text.wait(), timeout=10)
    await asyncio.wait_for(provider.aclose(), timeout=1.5)  # 1.5 s as elsewhere: the full answer takes several
    await task
    assert events[-1] == Finish("cancelled")
    assert len([e for e in events if isinstance(e, TextDelta)]) < 400

    events = await collect(provider, QUESTION, max_tokens=16)  # reloads after close
    assert text_of(events).strip() and isinstance(events[-1], Finish)


async def test_long_history_is_trimmed_to_fit_the_context() -> None:
    p = EmbeddedProvider(context_length=512)
    filler = "This is an old message about nothing in particular. " * 8
    history = [ChatMessage("system", "You are terse.")]
    for i in range(30):
        history.append(ChatMessage("user" if i % 2 == 0 else "assistant", filler))
    history.append(ChatMessage("user", "Say hello."))
    try:
        events = await collect(p, history, max_tokens=32)
    finally:
        await p.aclose()
    (usage,) = [e for e in events if isinstance(e, Usage)]
    assert usage.prompt_tokens < 512
    assert isinstance(events[-1], Finish)


async def test_message_too_long_for_the_context_is_a_bad_request() -> None:
    p = EmbeddedProvider(context_length=256)
    try:
        with pytest.raises(ProviderError) as caught:
            await collect(p, [ChatMessage("user", "word " * 1000)], max_tokens=32)
    finally:
        await p.aclose()
    assert caught.value.kind is ErrorKind.BAD_REQUEST


async def test_missing_model_file_is_model_missing(tmp_path: Path) -> None:
    p = EmbeddedProvider(model_path=tmp_path / "nope.gguf")
    assert await p.list_models() == []
    with pytest.raises(ProviderError) as caught:
        await collect(p, QUESTION)
    assert caught.value.kind is ErrorKind.MODEL_MISSING
    assert "embedded.model_path" in caught.value.message


async def test_corrupt_model_file_is_model_missing(tmp_path: Path) -> None:
    junk = tmp_path / "junk.gguf"
    junk.write_bytes(b"not a gguf file" * 100)
    p = EmbeddedProvider(model_path=junk)
    with pytest.raises(ProviderError) as caught:
        await collect(p, QUESTION)
    assert caught.value.kind is ErrorKind.MODEL_MISSING


async def test_list_models_does_not_load_the_model(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse_to_load(*args: object, **kwargs: object) -> None:
        raise AssertionError("list_models loaded the model")

    monkeypatch.setattr(runtimes, "load", refuse_to_load)
    p = EmbeddedProvider(context_length=1024)
    (info,) = await p.list_models()
    assert info.provider == "embedded"
    assert info.name == "smollm2-135m-instruct.q4_1"
    assert info.locality == "local"
    assert info.context_length == 1024
    assert not info.tools and not info.vision


LLAMA_CPP_CHILD = """
import asyncio
from bot.providers.base import ChatMessage, TextDelta
from bot.providers.embedded import EmbeddedProvider

async def main():
    p = EmbeddedProvider(runtime="llama-cpp")
    for question in ("What is the capital of France?", "What is the capital of Japan?"):
        parts = [e.text async for e in p.stream_chat(p.model_name, [ChatMessage("user", question)], temperature=0,
                 max_tokens=16) if isinstance(e, TextDelta)]
        assert "".join(parts).strip(), question
    await p.aclose()
    print("ok")

asyncio.run(main())
"""


@pytest.mark.skipif(not runtimes.installed("llama-cpp"), reason="optional runtime llama-cpp-python not installed")
def test_llama_cpp_runtime_answers_when_installed() -> None:
    # A child process: llama-cpp-python 0.3.36 built on this machine (AVX-512/AMX) dies with SIGSEGV in
    # llama_decode, which would take the whole test session down with it.
    child = subprocess.run(
        [sys.executable, "-c", LLAMA_CPP_CHILD],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).parents[2],
    )
    if child.returncode == -signal.SIGSEGV:
        pytest.xfail(
            "llama-cpp-python crashed (SIGSEGV in llama_decode): its native build does on AVX-512/AMX CPUs here; "
            "CMAKE_ARGS=-DGGML_NATIVE=OFF builds one that works (README, Embedded model)"
        )
    assert child.returncode == 0 and child.stdout.strip() == "ok", child.stderr[-2000:]


async def test_the_next_turn_of_a_conversation_evaluates_only_what_is_new(provider: EmbeddedProvider) -> None:
    chat = [ChatMessage("system", "You are terse."), ChatMessage("user", "Name a colour.")]
    answer = text_of(await collect(provider, chat, max_tokens=16))
    first = provider.last_generation
    chat += [ChatMessage("assistant", answer), ChatMessage("user", "Name a fruit, please, and say why you like it.")]
    await collect(provider, chat, max_tokens=16)
    second = provider.last_generation
    assert first is not None and second is not None
    new = second.prompt_tokens - first.prompt_tokens - first.completion_tokens  # the new message and its template
    assert 0 < second.prompt_evaluated <= 1.5 * new, (second, first)
