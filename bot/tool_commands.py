"""`/tools`: what the current agent can use in this conversation, and what is withheld here and why.

The same rules a turn applies (``bot.tools.policy.offer``): the agent's tool list, an MCP server's
``agents``, and — in a private conversation — no tool that sends data off this machine.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.tools.base import Tool
from bot.tools.policy import NOT_FOR_AGENT, SENDS_DATA_OUT, offer

if TYPE_CHECKING:
    from bot.commands import CommandContext, CommandResult
    from bot.engine import Engine
    from bot.store import Conversation


def private_reason(engine: Engine, conv: Conversation) -> str:
    """Why turns here are private ('' when they are not, unless a message itself is sensitive)."""
    if conv.private:
        return "this is a private conversation"
    if engine.privacy_level(conv) == "local-only":
        return "this channel is local-only"
    if conv.sticky_private:
        return "this conversation carried sensitive content (until /reset)"
    return ""


def _marks(tool: Tool) -> str:
    where = "☁ sends data out" if tool.sends_data_out else "🔒 local"
    return f"{where}{' · ✋ asks first' if tool.changes_things else ''}"


def _describe(tool: Tool) -> str:
    first = tool.description.strip().splitlines()[0] if tool.description.strip() else ""
    return f"- `{tool.name}` — {first[:100]} ({_marks(tool)})"


async def tools_command(engine: Engine, ctx: CommandContext, args: list[str]) -> CommandResult:
    from bot.commands import CommandResult

    conv = engine.store.conversation(ctx.key, private=ctx.private)
    agent = engine.agent_for(ctx.key, ctx.user_id)
    why_private = private_reason(engine, conv)
    tools = await engine.tools.all_tools()
    offered = offer(tools, private=bool(why_private), agent_globs=agent.tools, agent=agent.name)
    lines = [f"Tools agent **{agent.name}** can use here:"]
    lines += [_describe(t) for t in offered.tools] or ["- none"]
    kept_local = [name for name, code in offered.withheld.items() if code == SENDS_DATA_OUT]
    if kept_local:
        lines.append(f"Withheld here because {why_private}, and they send data off this machine:")
        lines += [f"- `{name}`" for name in kept_local]
    elif not why_private:
        lines.append("A message carrying secrets or personal data gets only 🔒 local tools for that turn.")
    other = [name for name, code in offered.withheld.items() if code == NOT_FOR_AGENT]
    if other:
        lines.append(f"Not enabled for agent {agent.name}: {', '.join(f'`{n}`' for n in other)} (see /agent show).")
    for source in engine.tools.sources:
        for server in sorted(getattr(source, "unavailable", {}) or {}):
            lines.append(f"MCP server `{server}` is unavailable right now; its tools are left out.")
    return CommandResult("\n".join(lines))
