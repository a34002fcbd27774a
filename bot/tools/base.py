"""What a tool is and what running one gives back: shared data types, no I/O.

A ``Tool`` carries everything the runner and the policy need to know about it: a JSON schema for
its arguments, whether it sends data off this machine (``sends_data_out``: a private turn may not
be offered it) and whether it changes things (``changes_things``: a call needs approval), and
limits the runner enforces (``timeout`` seconds, ``output_cap`` characters).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

ToolFunction = Callable[[dict[str, Any]], Awaitable[str]]

DEFAULT_TIMEOUT = 10.0
DEFAULT_OUTPUT_CAP = 8000


@dataclass(frozen=True)
class Tool:
    name: str
    description: str
    parameters: dict[str, Any]  # JSON schema of the arguments object
    run: ToolFunction = field(repr=False, compare=False)
    sends_data_out: bool = False
    changes_things: bool = False
    timeout: float = DEFAULT_TIMEOUT
    output_cap: int = DEFAULT_OUTPUT_CAP
    server: str | None = None  # the MCP server it comes from; None for a built-in
    agents: tuple[str, ...] = ("*",)  # globs over agent names that may be offered it (an MCP server's `agents`)

    @property
    def is_mcp(self) -> bool:
        return self.server is not None


@dataclass(frozen=True)
class ToolResult:
    """What a call produced, as the model will see it. ``is_error`` results are still shown to
    the model (it can correct its arguments); ``error_kind`` is a stable code for logs and tests."""

    tool: str
    text: str
    is_error: bool = False
    error_kind: str | None = None  # bad_arguments | timeout | failed | refused | unknown_tool
    seconds: float = 0.0
    truncated: bool = False


def error_result(tool: str, kind: str, text: str, seconds: float = 0.0) -> ToolResult:
    return ToolResult(tool=tool, text=text, is_error=True, error_kind=kind, seconds=seconds)


@dataclass(frozen=True)
class CallContext:
    """Who a tool call is for. The tool loop sets ``CALL_CONTEXT`` around each call so tools that
    act per person (tasks, memory) or per place (``now``'s time zone) know whom they serve."""

    platform: str
    workspace: str
    channel: str
    user_id: str
    turn_id: int
    private: bool  # the turn may not send data off this machine
    tz: str | None = None


CALL_CONTEXT: ContextVar[CallContext | None] = ContextVar("hybridbot_tool_call_context", default=None)
