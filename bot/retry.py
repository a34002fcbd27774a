"""Retries with backoff (tenacity) that honour Retry-After — only where the client does not retry itself.

The rule, one retry layer per request, never two:
- The OpenAI SDK retries connection errors, 408/409/429 and 5xx itself (`openai.max_retries`,
  `max_retries` of an `[[endpoints]]` entry), sleeping as long as a Retry-After asks. We add no retry
  on top of it; we only stop it from sleeping longer than `resilience.max_retry_wait`
  (`sdk_retry_after_hook`): a longer Retry-After is not waited out — the turn falls back to another
  model instead.
- The ollama client never retries. `retrying_stream` gives it `resilience.local_retries` quick retries
  (default 1) on UNREACHABLE/SERVER, with jittered exponential backoff, and only before the first event
  of the answer — text already shown to a user is never asked for twice.
- The embedded model runs in-process: nothing transient to retry.
A Retry-After longer than the bound is never waited for anywhere: the error goes to the engine, which
falls back (another model of the same locality first; the cloud only where privacy allows).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, stop_after_attempt, wait_exponential_jitter

from bot.providers.base import ErrorKind, ProviderError, StreamEvent

RETRY_KINDS = frozenset({ErrorKind.UNREACHABLE, ErrorKind.SERVER, ErrorKind.RATE_LIMITED})
# Providers whose client library retries by itself (see the module docstring).
CLIENT_RETRIES = frozenset({"OpenAIProvider"})
NO_RETRY = frozenset({"EmbeddedProvider"})


@dataclass(frozen=True)
class RetryPolicy:
    retries: int = 1  # extra attempts before any text; 0 = none
    backoff: float = 0.25  # first wait, seconds; doubles, with jitter
    max_backoff: float = 2.0
    max_retry_wait: float = 5.0  # longest Retry-After we wait for; longer → fall back at once

    def should_retry(self, exc: BaseException) -> bool:
        if not isinstance(exc, ProviderError) or exc.kind not in RETRY_KINDS:
            return False
        return exc.retry_after is None or exc.retry_after <= self.max_retry_wait

    def wait(self, state: RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        retry_after = getattr(error, "retry_after", None)
        if retry_after is not None:
            return min(retry_after, self.max_retry_wait)
        return wait_exponential_jitter(multiplier=self.backoff, max=self.max_backoff, jitter=self.backoff)(state)


NEVER = RetryPolicy(retries=0)


def policy_for(provider: object, *, retries: int, max_retry_wait: float, backoff: float = 0.25) -> RetryPolicy:
    """Our retry policy for a provider: none where its client retries already or nothing is transient."""
    kind = type(getattr(provider, "inner", provider)).__name__  # see through bot.providers.guarded
    if kind in CLIENT_RETRIES or kind in NO_RETRY or retries <= 0:
        return NEVER
    return RetryPolicy(
        retries=retries, backoff=backoff, max_backoff=max(backoff * 8, 0.01), max_retry_wait=max_retry_wait
    )


async def retrying_stream(
    open_stream: Callable[[], AsyncIterator[StreamEvent]],
    policy: RetryPolicy,
    *,
    sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
) -> AsyncIterator[StreamEvent]:
    """Stream an answer, re-opening it after a retryable failure that came before its first event."""
    stream: AsyncIterator[StreamEvent] | None = None
    first: StreamEvent | None = None
    retrying = AsyncRetrying(
        stop=stop_after_attempt(policy.retries + 1),
        wait=policy.wait,
        retry=retry_if_exception(policy.should_retry),
        sleep=sleep,
        reraise=True,
    )
    async for attempt in retrying:
        with attempt:
            candidate = open_stream()
            try:
                first = await anext(candidate)
            except StopAsyncIteration:
                return
            except BaseException:
                await candidate.aclose()  # type: ignore[attr-defined]
                raise
            stream = candidate
    assert stream is not None and first is not None
    try:
        yield first
        async for event in stream:
            yield event
    finally:
        await stream.aclose()  # type: ignore[attr-defined]


def sdk_retry_after_hook(max_wait: float) -> Callable[[Any], Awaitable[None]]:
    """An httpx response hook for the OpenAI SDK's client: a Retry-After past `max_wait` stops its retry.

    The SDK honours `x-should-retry: false`; setting it here makes the SDK raise at once (a
    RATE_LIMITED/SERVER ProviderError with retry_after), and the engine falls back instead of waiting.
    """
    from bot.providers.openai_provider import parse_retry_after

    async def hook(response: Any) -> None:
        if response.status_code in (408, 409, 429) or response.status_code >= 500:
            wait = parse_retry_after(response.headers)
            if wait is not None and wait > max_wait:
                response.headers["x-should-retry"] = "false"

    return hook
