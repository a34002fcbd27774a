"""Retry policy: which errors are retried, how long we wait, and never after text was shown."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from bot.providers.base import ErrorKind, Finish, ProviderError, StreamEvent, TextDelta
from bot.retry import NEVER, RetryPolicy, policy_for, retrying_stream, sdk_retry_after_hook


class Script:
    """Opens streams that fail (before any event, or after some) as scripted, and counts opens."""

    def __init__(self, *outcomes: ProviderError | None, fail_after: int = 0) -> None:
        self.outcomes = list(outcomes)
        self.opens = 0
        self.closed = 0
        self.fail_after = fail_after

    def __call__(self) -> AsyncIterator[StreamEvent]:
        self.opens += 1
        outcome = self.outcomes.pop(0) if self.outcomes else None
        return self._stream(outcome)

    async def _stream(self, outcome: ProviderError | None) -> AsyncIterator[StreamEvent]:
        try:
            for i in range(self.fail_after):
                yield TextDelta(f"t{i} ")
            if outcome is not None:
                raise outcome
            yield TextDelta("answer")
            yield Finish()
        finally:
            self.closed += 1


class Sleeps:
    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def err(kind: ErrorKind, retry_after: float | None = None) -> ProviderError:
    return ProviderError(kind, f"ollama: {kind.value}", provider="ollama", retry_after=retry_after)


async def collect(stream: AsyncIterator[StreamEvent]) -> list[StreamEvent]:
    return [event async for event in stream]


@pytest.mark.parametrize("kind", [ErrorKind.UNREACHABLE, ErrorKind.SERVER])
async def test_one_quick_retry_before_any_text(kind: ErrorKind) -> None:
    script, sleeps = Script(err(kind)), Sleeps()
    events = await collect(retrying_stream(script, RetryPolicy(retries=1), sleep=sleeps))
    assert events == [TextDelta("answer"), Finish()]
    assert script.opens == 2 and script.closed == 2
    assert len(sleeps.waits) == 1 and 0 < sleeps.waits[0] <= 2.0


async def test_retries_are_bounded() -> None:
    script, sleeps = Script(err(ErrorKind.SERVER), err(ErrorKind.SERVER), err(ErrorKind.SERVER)), Sleeps()
    with pytest.raises(ProviderError) as caught:
        await collect(retrying_stream(script, RetryPolicy(retries=1), sleep=sleeps))
    assert caught.value.kind is ErrorKind.SERVER
    assert script.opens == 2 and len(sleeps.waits) == 1


@pytest.mark.parametrize("kind", [ErrorKind.AUTH, ErrorKind.BAD_REQUEST, ErrorKind.MODEL_MISSING, ErrorKind.TIMEOUT])
async def test_not_retried_kinds_fail_at_once(kind: ErrorKind) -> None:
    script, sleeps = Script(err(kind)), Sleeps()
    with pytest.raises(ProviderError):
        await collect(retrying_stream(script, RetryPolicy(retries=2), sleep=sleeps))
    assert script.opens == 1 and sleeps.waits == []


async def test_never_retried_after_text_started() -> None:
    script, sleeps = Script(err(ErrorKind.INTERRUPTED), fail_after=2), Sleeps()
    seen: list[StreamEvent] = []
    with pytest.raises(ProviderError):
        async for event in retrying_stream(script, RetryPolicy(retries=3), sleep=sleeps):
            seen.append(event)
    assert seen == [TextDelta("t0 "), TextDelta("t1 ")]
    assert script.opens == 1 and sleeps.waits == []


async def test_short_retry_after_is_honoured() -> None:
    script, sleeps = Script(err(ErrorKind.RATE_LIMITED, retry_after=1.5)), Sleeps()
    await collect(retrying_stream(script, RetryPolicy(retries=1, max_retry_wait=5), sleep=sleeps))
    assert sleeps.waits == [1.5]


async def test_long_retry_after_is_not_waited_for() -> None:
    script, sleeps = Script(err(ErrorKind.RATE_LIMITED, retry_after=60)), Sleeps()
    with pytest.raises(ProviderError) as caught:
        await collect(retrying_stream(script, RetryPolicy(retries=1, max_retry_wait=5), sleep=sleeps))
    assert caught.value.retry_after == 60
    assert script.opens == 1 and sleeps.waits == []


async def test_no_retry_policy_passes_errors_straight_through() -> None:
    script, sleeps = Script(err(ErrorKind.UNREACHABLE)), Sleeps()
    with pytest.raises(ProviderError):
        await collect(retrying_stream(script, NEVER, sleep=sleeps))
    assert script.opens == 1


async def test_closing_early_closes_the_provider_stream() -> None:
    script = Script()
    stream = retrying_stream(script, RetryPolicy())
    assert await anext(stream) == TextDelta("answer")
    await stream.aclose()
    assert script.closed == 1


def test_policy_per_client() -> None:
    class OllamaProvider: ...

    class OpenAIProvider: ...

    class EmbeddedProvider: ...

    assert policy_for(OllamaProvider(), retries=1, max_retry_wait=5).retries == 1
    assert policy_for(OllamaProvider(), retries=0, max_retry_wait=5) is NEVER
    assert policy_for(OpenAIProvider(), retries=1, max_retry_wait=5) is NEVER  # the SDK retries itself
    assert policy_for(EmbeddedProvider(), retries=1, max_retry_wait=5) is NEVER


class _Response:
    def __init__(self, status: int, headers: dict[str, str]) -> None:
        self.status_code, self.headers = status, headers


@pytest.mark.parametrize(
    ("status", "retry_after", "stopped"),
    [(429, "30", True), (503, "30", True), (429, "2", False), (429, None, False), (200, "30", False)],
)
async def test_sdk_hook_stops_sdk_from_waiting_long(status: int, retry_after: str | None, stopped: bool) -> None:
    headers = {"retry-after": retry_after} if retry_after else {}
    response = _Response(status, headers)
    await sdk_retry_after_hook(5.0)(response)
    assert (response.headers.get("x-should-retry") == "false") is stopped


async def test_cancel_during_backoff_stops_at_once() -> None:
    script, waiting = Script(err(ErrorKind.SERVER)), asyncio.Event()

    async def slow_sleep(seconds: float) -> None:
        waiting.set()
        await asyncio.Event().wait()  # a backoff that would never end

    task = asyncio.create_task(collect(retrying_stream(script, RetryPolicy(retries=1), sleep=slow_sleep)))
    await waiting.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert script.opens == 1 and script.closed == 1
