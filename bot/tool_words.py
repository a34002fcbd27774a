"""What users read about tools: /why's tool lines and /agent show's tool list. Markdown; no arguments or
results are shown (they may be private), only names, where each ran and what came of it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from bot.store_tools import ToolCallRecord
from bot.tools.policy import agent_allows

if TYPE_CHECKING:
    from bot.engine import Engine

OUTCOME_WORDS = {
    "ok": "ok",
    "bad_arguments": "bad arguments",
    "timeout": "timed out",
    "failed": "failed",
    "refused": "refused (not available here)",
    "unknown_tool": "no such tool",
    "denied": "not approved",
}


def tool_lines(calls: Sequence[ToolCallRecord]) -> list[str]:
    """One line per tool call, and whether a result made the turn local."""
    if not calls:
        return []
    lines = [f"Tools called ({len(calls)}):"]
    for call in calls:
        where = "🔒 stays on this machine" if call.locality == "local" else "☁ sends data out"
        outcome = OUTCOME_WORDS.get(call.outcome, call.outcome)
        lines.append(f"- {call.tool} — {where}; {outcome}, {call.seconds:.2f} s")
    if any(call.sensitive for call in calls):
        lines.append("A tool result carried private data, so the rest of the turn stayed on a local model.")
    return lines


async def agent_tools_text(engine: Engine, globs: Sequence[str]) -> str:
    """The agent's tools as configured, each with whether this bot has it now (and where it runs)."""
    if not globs:
        return "none"
    tools = await engine.tools.all_tools()
    parts = []
    for pattern in globs:
        matched = [t for t in tools if agent_allows(t, [pattern])]
        if not matched:
            parts.append(f"{pattern} (not available)")
            continue
        for tool in matched:
            parts.append(f"{tool.name} ({'sends data out' if tool.sends_data_out else 'local'})")
    return ", ".join(parts)
