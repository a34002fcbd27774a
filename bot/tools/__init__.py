"""Tools an agent can call: the protocol, a runner, built-ins, MCP servers and the privacy policy.

Modules (pure unless marked I/O):
- ``base``: ``Tool`` and ``ToolResult``.
- ``runner`` (runs tool code): argument parsing and JSON-schema validation, timeout, output cap,
  concurrent calls; every failure becomes an error result the model sees.
- ``calculator``, ``clock``: the built-in ``calculator`` and ``now`` tools.
- ``policy``: which tools a turn is offered (agent globs, private turns) and refusing other calls.
- ``untrusted``: results as fenced untrusted data; the privacy scan of every result.
- ``mcp_config``: ``[[mcp.servers]]`` entries; ``mcp_client`` (I/O): one server's connection;
  ``mcp_manager``: ``McpManager``, every server as one ``ToolSource``.
- ``approvals`` (waits for people): ``Approvals.ask``/``click``, with ``approval_types`` (data) and
  ``approval_texts`` (what people read); their records are in ``bot/store_approvals.py``.

The tool loop itself is bot/tool_loop.py; provider formats are in bot/tool_calls.py and text_protocol.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# Exports load on first use: importing one submodule (``bot.config`` reads ``mcp_config``) must not
# pay for the privacy scanner, jsonschema and simpleeval that the runner and built-ins pull in.
_EXPORTS = {
    "Tool": "base",
    "ToolResult": "base",
    "CALCULATOR": "calculator",
    "make_now_tool": "clock",
    "Offer": "policy",
    "offer": "policy",
    "resolve_call": "policy",
    "run_tool": "runner",
    "run_tools": "runner",
    "format_result": "untrusted",
    "scan_result": "untrusted",
}

if TYPE_CHECKING:
    from bot.tools.base import Tool, ToolResult
    from bot.tools.calculator import CALCULATOR
    from bot.tools.clock import make_now_tool
    from bot.tools.policy import Offer, offer, resolve_call
    from bot.tools.runner import run_tool, run_tools
    from bot.tools.untrusted import format_result, scan_result


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'bot.tools' has no attribute {name!r}")
    return getattr(importlib.import_module(f"bot.tools.{_EXPORTS[name]}"), name)


__all__ = [
    "CALCULATOR",
    "Offer",
    "Tool",
    "ToolResult",
    "format_result",
    "make_now_tool",
    "offer",
    "resolve_call",
    "run_tool",
    "run_tools",
    "scan_result",
]
