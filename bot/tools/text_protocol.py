"""Tool calls for models without native tool calling (the embedded model, some Ollama models): a text protocol.

The model gets a fixed instruction listing the tools; to call one it answers with nothing but one JSON
object, ``{"tool": "<name>", "arguments": {...}}`` (a code fence around it is tolerated). Anything else is an
answer. ``TextToolParser`` turns a model's text stream into the same events a native provider yields:
text that cannot be a call streams through at once; a reply that starts like a JSON object is held back
until the step ends and becomes a ``ToolCall`` (or, if it is no call after all, text). One call per step.

The tool loop keeps its messages in the neutral form (assistant ``tool_calls``, ``tool`` results);
``to_text_messages`` writes them as plain chat for such models. Pure: no I/O.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import AsyncIterator, Sequence
from typing import Any

from bot.providers.base import ChatMessage, Finish, StreamEvent, TextDelta, ToolCall
from bot.tools.base import Tool

INSTRUCTION = (
    "You can use tools. To use one, reply with only one JSON object and nothing else:\n"
    '{"tool": "<tool name>", "arguments": {<arguments>}}\n'
    "You then get the tool's result and can answer. If you need no tool, answer normally in words.\n"
    "Tools:"
)
_FENCE = re.compile(r"^```(?:json)?\s*|\s*```\s*$")
_CALL_START = ("{", "```")


def instruction(tools: Sequence[Tool]) -> str:
    """The fixed instruction plus one line per tool: name, description, argument names and types."""
    lines = [INSTRUCTION]
    for tool in tools:
        lines.append(f"- {tool.name}: {tool.description} Arguments: {_arguments(tool.parameters)}")
    return "\n".join(lines)


def _arguments(schema: dict[str, Any]) -> str:
    properties = schema.get("properties") or {}
    required = set(schema.get("required") or ())
    if not properties:
        return "none"
    parts = []
    for name, spec in properties.items():
        kind = spec.get("type", "any") if isinstance(spec, dict) else "any"
        parts.append(f"{name} ({kind}{'' if name in required else ', optional'})")
    return ", ".join(parts)


def grammar(tools: Sequence[Tool]) -> str:
    """A GBNF grammar for llama.cpp: the reply is either one well-formed call to an offered tool (its name
    spelled right, its arguments a JSON object) or an answer in words (anything not starting with ``{``).
    The model still chooses which; the grammar only makes a call it starts well-formed."""
    names = " | ".join(json.dumps(json.dumps(t.name)) for t in tools) or '"\\"none\\""'
    return "\n".join(
        [
            "root ::= call | answer",
            'call ::= "{\\"tool\\": " name ", \\"arguments\\": " object "}"',
            f"name ::= {names}",
            'object ::= "{" ws ( pair ( "," ws pair )* )? ws "}"',
            'pair ::= string ":" ws value',
            'value ::= string | number | object | "true" | "false" | "null"',
            'string ::= "\\"" ( [^"\\\\\\n] | "\\\\" ["\\\\/nt] )* "\\""',
            'number ::= "-"? [0-9]+ ( "." [0-9]+ )?',
            "ws ::= [ ]?",
            "answer ::= [^{] [^\\x00]*",
        ]
    )


def parse_call(text: str) -> ToolCall | None:
    """The call in a reply that is only a JSON object naming a tool; None if it is no call."""
    body = _FENCE.sub("", text.strip()).strip()
    if not body.startswith("{"):
        return None
    try:
        value, end = json.JSONDecoder().raw_decode(body)
    except ValueError:
        return None
    if not isinstance(value, dict) or body[end:].strip():
        return None
    name = value.get("tool") or value.get("name")
    if not isinstance(name, str) or not name:
        return None
    arguments = value.get("arguments", value.get("parameters", {}))
    call_id = f"call_{uuid.uuid4().hex[:12]}"
    if isinstance(arguments, dict):
        return ToolCall(call_id, name, arguments)
    return ToolCall(call_id, name, raw_arguments=json.dumps(arguments))


async def parse_stream(events: AsyncIterator[StreamEvent]) -> AsyncIterator[StreamEvent]:
    """A text-protocol model's events as native ones: a reply that is one JSON call becomes a ToolCall."""
    held: list[str] = []
    deciding, holding = True, False
    async for event in events:
        if not isinstance(event, TextDelta):
            if isinstance(event, Finish) and holding:
                call = parse_call("".join(held))
                if call is not None:
                    yield call
                    yield Finish("tool_calls")
                    return
                yield TextDelta("".join(held))  # it began like JSON but is no call: an answer after all
                holding = False
            yield event
            continue
        if not deciding:
            if holding:
                held.append(event.text)
            else:
                yield event
            continue
        held.append(event.text)
        start = "".join(held).lstrip()
        if not start:
            continue
        if any(start.startswith(p) or p.startswith(start) for p in _CALL_START):
            holding = True
            if len(start) >= 3 or start.startswith("{"):
                deciding = False
            continue
        deciding, holding = False, False
        yield TextDelta("".join(held))
        held.clear()
    if holding and held:  # the stream ended without a Finish (the caller stops at one anyway)
        yield TextDelta("".join(held))


def to_text_messages(messages: Sequence[ChatMessage], tools: Sequence[Tool]) -> list[ChatMessage]:
    """The loop's messages for a model without native tools: the instruction joins the system message (when
    tools are offered), a call is the assistant's JSON, a result is a user message carrying the fenced text."""
    out: list[ChatMessage] = []
    for message in messages:
        if message.role == "assistant" and message.tool_calls:
            call = message.tool_calls[0]
            arguments = call.arguments if call.raw_arguments is None else call.raw_arguments
            out.append(ChatMessage("assistant", json.dumps({"tool": call.name, "arguments": arguments})))
        elif message.role == "tool":
            out.append(ChatMessage("user", f"Result of the tool {message.name}:\n{message.content}"))
        else:
            out.append(message)
    if not tools:
        return out
    text = instruction(tools)
    if out and out[0].role == "system":
        return [ChatMessage("system", out[0].content + "\n\n" + text), *out[1:]]
    return [ChatMessage("system", text), *out]
