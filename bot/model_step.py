"""One model step: open a model's event stream (retried until its first event) and read it.

A step may show text, ask for tool calls, or both; the tool loop (bot/tool_loop.py) runs the calls and
takes another step. Here nothing runs: calls are collected.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bot.agents import Agent
from bot.providers.base import ChatMessage, Finish, ModelInfo, StreamEvent, TextDelta, ToolCall, Usage
from bot.providers.guarded import REPETITION
from bot.redact import Restorer
from bot.retry import policy_for, retrying_stream

if TYPE_CHECKING:
    from bot.engine import Engine
    from bot.turn_stream import TurnContext


@dataclass
class StepOutput:
    """What one model step produced: text (already shown), tool calls (not run yet), usage, how it ended.
    The tool loop adds each step into the turn's output (`add`)."""

    parts: list[str] = field(default_factory=list)
    tool_calls: list[ToolCall] = field(default_factory=list)
    usage: Usage = field(default_factory=Usage)
    first_token_ms: float | None = None
    repeated: bool = False  # bot.providers.guarded cut a looping answer
    restorer: Restorer | None = None  # redact level: placeholders in the answer become the real values

    @property
    def text(self) -> str:
        return "".join(self.parts)

    def add(self, step: StepOutput) -> None:
        self.parts.extend(step.parts)
        self.usage = Usage(
            self.usage.prompt_tokens + step.usage.prompt_tokens,
            self.usage.completion_tokens + step.usage.completion_tokens,
        )
        if self.first_token_ms is None:
            self.first_token_ms = step.first_token_ms
        self.repeated = self.repeated or step.repeated


async def model_step(events: AsyncIterator[StreamEvent], ctx: TurnContext, out: StepOutput) -> None:
    """Read one model call's events into `out`, showing text as it comes; stops at its Finish."""
    async for event in events:
        if isinstance(event, TextDelta) and event.text:
            if out.first_token_ms is None:
                out.first_token_ms = (time.perf_counter() - ctx.started) * 1000
            text = out.restorer.feed(event.text) if out.restorer else event.text
            if text:
                out.parts.append(text)
                await ctx.sink.on_text(text)
        elif isinstance(event, ToolCall):
            out.tool_calls.append(event)  # run by the tool loop after the step
        elif isinstance(event, Usage):
            out.usage = event
        elif isinstance(event, Finish):
            out.repeated = event.reason == REPETITION
            break
    if out.restorer and (rest := out.restorer.flush()):  # an unclosed "⟨…" at the end is shown as it came
        out.parts.append(rest)
        await ctx.sink.on_text(rest)


def open_stream(
    engine: Engine,
    model: ModelInfo,
    messages: list[ChatMessage],
    agent: Agent,
    tools: list[dict[str, Any]] | None = None,
    grammar: str | None = None,
) -> AsyncIterator[StreamEvent]:
    """The model's event stream, retried per the provider's policy until its first event. A `grammar` (the
    text tool protocol's) goes only to providers that accept one."""
    provider = engine.catalog.provider(model.provider)
    resilience = engine.settings.resilience
    policy = policy_for(
        provider,
        retries=resilience.local_retries,
        max_retry_wait=resilience.max_retry_wait,
        backoff=resilience.retry_backoff,
    )
    max_tokens = engine.settings.bot.max_answer_tokens
    extra: dict[str, Any] = {"tools": tools} if tools else {}  # providers that take no tools get none
    if grammar and getattr(provider, "accepts_grammar", False):
        extra["grammar"] = grammar
    return retrying_stream(
        lambda: provider.stream_chat(
            model.name, messages, temperature=agent.temperature, max_tokens=max_tokens, **extra
        ),
        policy,
    )
