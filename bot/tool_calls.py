"""Running one model step's tool calls for a turn: refuse what was not offered, ask approval for tools that
change things, run the rest concurrently for the person whose turn it is, and scan every result.

Nothing a model sends can raise out of here (bot/tools/runner.py turns malformed arguments, failures and
timeouts into error results the model sees). Logs carry tool names, outcomes and timings, never arguments
or results.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from bot.providers.base import ChatMessage, ToolCall
from bot.tools.approvals import new_request
from bot.tools.base import CALL_CONTEXT, CallContext, Tool, ToolResult, error_result
from bot.tools.policy import Offer, resolve_call
from bot.tools.runner import run_tools
from bot.tools.untrusted import ResultScan, format_result, scan_result

if TYPE_CHECKING:
    from bot.engine import Engine
    from bot.turn_stream import TurnContext

log = logging.getLogger("hybridbot.tools")

_WIRE_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")
SUMMARY_CHARS = 160


@dataclass(frozen=True)
class CallOutcome:
    call: ToolCall
    tool: Tool | None  # None: refused or unknown
    result: ToolResult
    scan: ResultScan

    @property
    def outcome(self) -> str:
        return self.result.error_kind or "ok" if self.result.is_error else "ok"


class WireNames:
    """Native tool names must match ``[A-Za-z0-9_-]{1,64}`` (OpenAI); MCP tools are named ``server.tool``.
    Each offered tool gets a safe, unique wire name, and a call's wire name maps back."""

    def __init__(self, tools: tuple[Tool, ...]) -> None:
        self.to_tool: dict[str, str] = {}
        self.to_wire: dict[str, str] = {}
        for tool in tools:
            wire = _WIRE_UNSAFE.sub("_", tool.name)[:60] or "tool"
            base, n = wire, 2
            while wire in self.to_tool:
                wire, n = f"{base[:57]}_{n}", n + 1
            self.to_tool[wire], self.to_wire[tool.name] = tool.name, wire

    def tool_name(self, wire: str) -> str:
        return self.to_tool.get(wire, wire)


def native_specs(offer: Offer, names: WireNames) -> list[dict[str, Any]]:
    """The offered tools in the chat-completions format (Ollama's /api/chat takes the same)."""
    return [
        {
            "type": "function",
            "function": {"name": names.to_wire[t.name], "description": t.description, "parameters": t.parameters},
        }
        for t in offer.tools
    ]


def call_context(ctx: TurnContext, *, private: bool, tz: str | None) -> CallContext:
    key = ctx.turn.key
    return CallContext(key.platform, key.workspace, key.channel, ctx.turn.user_id, ctx.turn_id, private, tz)


async def run_calls(
    engine: Engine,
    ctx: TurnContext,
    calls: list[ToolCall],
    offer: Offer,
    names: WireNames,
    *,
    private: bool,
    budget_left: float,
) -> list[CallOutcome]:
    """Each call's result, in call order. A call not offered is refused; a tool that changes things runs
    only after its approval; the rest run concurrently within the turn's remaining tool time."""
    tz = ctx.turn.tz or engine.settings.tools.timezone  # the person's own zone when the platform gave one
    token = CALL_CONTEXT.set(call_context(ctx, private=private, tz=tz))
    try:
        planned: list[tuple[int, Tool, Any]] = []
        outcomes: dict[int, tuple[Tool | None, ToolResult]] = {}
        for index, call in enumerate(calls):
            resolved = resolve_call(offer, names.tool_name(call.name))
            if isinstance(resolved, ToolResult):
                outcomes[index] = (None, resolved)
                continue
            tool = replace(resolved, timeout=max(0.01, min(resolved.timeout, budget_left)))
            if tool.changes_things and (denial := await _approval(engine, ctx, tool, call)) is not None:
                outcomes[index] = (tool, denial)
                continue
            raw = call.raw_arguments if call.raw_arguments is not None else call.arguments
            planned.append((index, tool, raw))
        ran = await run_tools((tool, raw) for _, tool, raw in planned)
        for (index, tool, _), result in zip(planned, ran, strict=True):
            outcomes[index] = (tool, result)
    finally:
        CALL_CONTEXT.reset(token)
    done = [CallOutcome(call, *outcomes[i], scan_result(outcomes[i][1])) for i, call in enumerate(calls)]
    for item in done:
        log.info(
            "turn %s tool %s outcome=%s seconds=%.4f sensitive=%s",
            ctx.turn_id,
            item.result.tool,
            item.outcome,
            item.result.seconds,
            item.scan.sensitive,
        )
    return done


async def _approval(engine: Engine, ctx: TurnContext, tool: Tool, call: ToolCall) -> ToolResult | None:
    """None when the person approved; else the "denied" result the model sees (the tool never runs)."""
    approvals = engine.approvals
    request = new_request(
        turn_id=ctx.turn_id,
        key=ctx.turn.key,
        asker=ctx.turn.user_id,
        tool=tool.name,
        summary=call_summary(tool.name, call),
        timeout=approvals.timeout,
    )
    decision = await approvals.ask(request, ctx.sink)
    log.info("turn %s approval for %s: %s", ctx.turn_id, tool.name, decision.outcome)
    if decision.approved:
        return None
    why = {
        "denied": "the person denied it",
        "timeout": "nobody approved it in time",
        "unavailable": "this chat cannot ask for approval",
    }.get(decision.outcome, decision.outcome)
    return error_result(tool.name, "denied", f"{tool.name} was not run: it needs approval and {why}.")


def call_summary(tool: str, call: ToolCall) -> str:
    """One short line shown to the asker in the approval prompt."""
    arguments = call.raw_arguments if call.raw_arguments is not None else json.dumps(call.arguments)
    text = f"{tool} {arguments}"
    return text if len(text) <= SUMMARY_CHARS else text[: SUMMARY_CHARS - 1] + "…"


def exchange_messages(text: str, outcomes: list[CallOutcome]) -> list[ChatMessage]:
    """The assistant's tool-call message and one fenced, untrusted result per call, in the neutral form
    each provider writes in its own format."""
    calls = tuple(o.call for o in outcomes)
    results = [ChatMessage("tool", format_result(o.result), name=o.call.name, tool_call_id=o.call.id) for o in outcomes]
    return [ChatMessage("assistant", text, tool_calls=calls), *results]
