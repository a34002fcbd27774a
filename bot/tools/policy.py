"""Which tools a turn may be offered, and whether a call may run: pure, table-tested.

Two rules, in this order:
1. The agent's tool globs choose: ``"calculator"`` names a built-in, ``"mcp:github.*"`` matches MCP
   tools (named ``server.tool``) by glob. Built-in and MCP names never match each other's patterns.
   A tool may also be fenced to some agents (an MCP server's ``agents``): it is offered only when
   both agree, and a fenced tool is never offered when the caller does not say which agent asks.
2. A private turn (DM, local-only, sensitive, sticky) is offered no tool that sends data out
   (``remote`` MCP servers, ``fetch_url``): they are not shown to the model at all.

A call to a tool that was not offered — a model guessing names, or text inside a tool result
imitating a call — is refused with an error result, whatever the tool is.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from fnmatch import fnmatchcase

from bot.tools.base import Tool, ToolResult, error_result

MCP_PREFIX = "mcp:"

# Reason codes for tools that were not offered (stable: /why and tests use them).
NOT_FOR_AGENT = "tool_not_for_agent"
SENDS_DATA_OUT = "tool_sends_data_out_in_private_turn"


@dataclass(frozen=True)
class Offer:
    tools: tuple[Tool, ...]
    withheld: dict[str, str] = field(default_factory=dict)  # tool name -> reason code

    def get(self, name: str) -> Tool | None:
        return next((t for t in self.tools if t.name == name), None)

    @property
    def names(self) -> list[str]:
        return [t.name for t in self.tools]


def agent_allows(tool: Tool, globs: Iterable[str]) -> bool:
    for pattern in globs:
        if pattern.startswith(MCP_PREFIX):
            if tool.is_mcp and fnmatchcase(tool.name, pattern[len(MCP_PREFIX) :]):
                return True
        elif not tool.is_mcp and fnmatchcase(tool.name, pattern):
            return True
    return False


def serves_agent(tool: Tool, agent: str | None) -> bool:
    if tool.agents == ("*",):
        return True
    return agent is not None and any(fnmatchcase(agent, pattern) for pattern in tool.agents)


def offer(tools: Sequence[Tool], *, private: bool, agent_globs: Sequence[str], agent: str | None = None) -> Offer:
    offered: list[Tool] = []
    withheld: dict[str, str] = {}
    for tool in tools:
        if not agent_allows(tool, agent_globs) or not serves_agent(tool, agent):
            withheld[tool.name] = NOT_FOR_AGENT
        elif private and tool.sends_data_out:
            withheld[tool.name] = SENDS_DATA_OUT
        else:
            offered.append(tool)
    return Offer(tuple(offered), withheld)


def resolve_call(offer_: Offer, name: str) -> Tool | ToolResult:
    """The tool to run, or a refusal the model sees (it names what it may call instead)."""
    tool = offer_.get(name)
    if tool is not None:
        return tool
    available = ", ".join(offer_.names) or "none"
    if name in offer_.withheld:
        return error_result(name, "refused", f"{name} is not available in this conversation. Tools: {available}.")
    return error_result(name, "unknown_tool", f"There is no tool named {name!r}. Tools: {available}.")
