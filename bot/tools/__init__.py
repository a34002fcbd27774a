"""Tools an agent can call: the protocol, a runner, built-ins, MCP servers and the privacy policy.

Modules (pure unless marked I/O):
- ``base``: ``Tool`` and ``ToolResult``.
- ``runner`` (runs tool code): argument parsing and JSON-schema validation, timeout, output cap,
  concurrent calls; every failure becomes an error result the model sees.
- ``calculator``, ``clock``: the built-in ``calculator`` and ``now`` tools.
- ``policy``: which tools a turn is offered (agent globs, private turns) and refusing other calls.
- ``untrusted``: results as fenced untrusted data; the privacy scan of every result.
- ``mcp_config``: ``[[mcp.servers]]`` entries; ``mcp_client`` (I/O): one server's connection and
  ``McpManager`` over all of them.
- ``approvals`` (waits for people): ``Approvals.ask``/``click``, with ``approval_types`` (data) and
  ``approval_texts`` (what people read); their records are in ``bot/store_approvals.py``.

Not here yet (issue 12): the tool loop in the engine, provider formats, approvals, chat commands.
"""

from bot.tools.base import Tool, ToolResult
from bot.tools.calculator import CALCULATOR
from bot.tools.clock import make_now_tool
from bot.tools.policy import Offer, offer, resolve_call
from bot.tools.runner import run_tool, run_tools
from bot.tools.untrusted import format_result, scan_result

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
