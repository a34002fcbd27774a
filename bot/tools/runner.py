"""Run tool calls: validate arguments, enforce timeout and output cap, run calls concurrently.

Nothing a model sends can raise out of here: malformed JSON, arguments that break the schema, a
tool that fails or hangs — each becomes an error ``ToolResult`` the model sees and can act on.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from bot.tools.base import Tool, ToolResult, error_result

log = logging.getLogger(__name__)

MAX_ERRORS_SHOWN = 3


@lru_cache(maxsize=512)
def _validator(schema_json: str) -> Draft202012Validator:
    schema = json.loads(schema_json)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def parse_arguments(raw_args: str | dict[str, Any] | None) -> dict[str, Any]:
    """OpenAI sends arguments as a JSON string, Ollama as an object; both become a dict.
    Raises ValueError with a message meant for the model."""
    if raw_args is None or raw_args == "":
        return {}
    if isinstance(raw_args, dict):
        return raw_args
    try:
        value = json.loads(raw_args)
    except (TypeError, ValueError) as e:
        raise ValueError(f"arguments are not valid JSON ({e})") from None
    if not isinstance(value, dict):
        raise ValueError(f"arguments must be a JSON object, not {type(value).__name__}")
    return value


def schema_errors(tool: Tool, args: dict[str, Any]) -> list[str]:
    """Readable schema violations, at most a few, each naming where it is."""
    try:
        validator = _validator(json.dumps(tool.parameters, sort_keys=True))
    except SchemaError as e:
        return [f"the tool's own schema is invalid: {e.message}"]
    errors = sorted(validator.iter_errors(args), key=lambda e: list(e.absolute_path))
    return [f"{'/'.join(map(str, e.absolute_path)) or '(arguments)'}: {e.message}" for e in errors[:MAX_ERRORS_SHOWN]]


def cap_output(text: str, cap: int) -> tuple[str, bool]:
    if len(text) <= cap:
        return text, False
    return text[:cap] + f"\n[output cut at {cap} of {len(text)} characters]", True


async def run_tool(tool: Tool, raw_args: str | dict[str, Any] | None) -> ToolResult:
    started = time.perf_counter()
    try:
        args = parse_arguments(raw_args)
    except ValueError as e:
        return error_result(tool.name, "bad_arguments", f"{tool.name}: {e}. Call it again with valid arguments.")
    problems = schema_errors(tool, args)
    if problems:
        text = f"{tool.name}: invalid arguments: " + "; ".join(problems) + ". Call it again with valid arguments."
        return error_result(tool.name, "bad_arguments", text)
    try:
        text = await asyncio.wait_for(tool.run(args), timeout=tool.timeout)
    except TimeoutError:
        took = time.perf_counter() - started
        return error_result(tool.name, "timeout", f"{tool.name} did not answer within {tool.timeout:g} s.", took)
    except Exception as e:  # a failing tool is a result the model sees, not a crash of the turn
        took = time.perf_counter() - started
        log.info("tool %s failed error=%s seconds=%.4f", tool.name, type(e).__name__, took)
        return error_result(tool.name, "failed", f"{tool.name} failed: {e or type(e).__name__}", took)
    took = time.perf_counter() - started
    text, truncated = cap_output(str(text), tool.output_cap)
    log.info("tool %s ran seconds=%.4f chars=%d truncated=%s", tool.name, took, len(text), truncated)
    return ToolResult(tool=tool.name, text=text, seconds=took, truncated=truncated)


async def run_tools(calls: Iterable[tuple[Tool, str | dict[str, Any] | None]]) -> list[ToolResult]:
    """Run a model step's calls concurrently; results come back in call order."""
    return list(await asyncio.gather(*(run_tool(tool, args) for tool, args in calls)))
