"""`hybridbot mcp list|tools|call`: the configured MCP servers, their tools, and one call by hand.

Each command starts the servers it needs (concurrently, each within its ``timeout``) and stops them
before it returns. ``call`` runs through the same runner as a turn (argument validation, timeout,
output cap) and asks before a tool that changes things, unless ``--yes``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.config import Settings

EXIT_USAGE = 2


def add_parser(sub: Any) -> None:
    mcp = sub.add_parser("mcp", help="MCP servers: list them, list their tools, call one tool")
    actions = mcp.add_subparsers(dest="mcp_action", metavar="ACTION", required=True)
    actions.add_parser("list", help="every configured server: transport, locality, agents, status")
    tools = actions.add_parser("tools", help="the servers' tools, namespaced, with read-only/confirm/locality")
    tools.add_argument("server", nargs="?", help="only this server")
    call = actions.add_parser("call", help="run one tool and print its result")
    call.add_argument("tool", metavar="SERVER.TOOL")
    call.add_argument("arguments", nargs="?", default="{}", metavar="JSON", help="arguments object (default {})")
    call.add_argument("--yes", action="store_true", help="do not ask before a tool that changes things")


def table(rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=False)) + "  " + r[-1] for r in rows)


async def run(settings: Settings, args: argparse.Namespace, ask: Callable[[str], str] | None = None) -> int:
    from bot.tools.mcp_manager import McpManager

    if not settings.mcp.servers:
        print("hybridbot: no MCP servers are configured; add [[mcp.servers]] entries (README: MCP servers).")
        return EXIT_USAGE
    manager = McpManager(settings.mcp)
    try:
        if args.mcp_action == "list":
            return await _list(manager)
        if args.mcp_action == "tools":
            return await _tools(manager, args.server)
        return await _call(manager, args, ask or input)
    finally:
        await manager.aclose()


async def _list(manager: Any) -> int:
    await manager.list_tools()  # starts every server, so the status is what a turn would meet now
    rows = [("SERVER", "TRANSPORT", "LOCALITY", "AGENTS", "STATUS")]
    for name, connection in manager.connections.items():
        config = connection.config
        rows.append((name, config.transport, config.locality, ",".join(config.agents), connection.status()))
    print(table(rows))
    return 1 if manager.unavailable else 0


async def _tools(manager: Any, server: str | None) -> int:
    if server is not None and manager.get(server) is None:
        return _unknown_server(manager, server)
    connections = [manager.get(server)] if server else list(manager.connections.values())
    tools, unavailable = await manager.tools_from(connections)
    rows = [("TOOL", "READ-ONLY", "CONFIRM", "LOCALITY", "DESCRIPTION")]
    for tool in tools:
        read_only = manager.get(tool.server).read_only.get(tool.name.split(".", 1)[1], False)
        locality = "remote (not in private turns)" if tool.sends_data_out else "local"
        first_line = tool.description.strip().splitlines()[0] if tool.description.strip() else ""
        rows.append((tool.name, _yn(read_only), _yn(tool.changes_things), locality, first_line[:80]))
    print(table(rows) if tools else "No tools.")
    for name, reason in unavailable.items():
        print(f"{name}: {reason}", file=sys.stderr)
    return 1 if unavailable else 0


async def _call(manager: Any, args: argparse.Namespace, ask: Callable[[str], str]) -> int:
    from bot.tools.runner import run_tool

    server, _, tool_name = args.tool.partition(".")
    connection = manager.get(server)
    if connection is None or not tool_name:
        return _unknown_server(manager, server)
    try:
        arguments = json.loads(args.arguments)
    except json.JSONDecodeError as exc:
        print(f'hybridbot: the arguments are not JSON ({exc.msg}); give an object like \'{{"text": "hi"}}\'.')
        return EXIT_USAGE
    tools, unavailable = await manager.tools_from([connection])
    if unavailable:
        print(f"hybridbot: {unavailable[server]}", file=sys.stderr)
        return 1
    tool = next((t for t in tools if t.name == args.tool), None)
    if tool is None:
        names = ", ".join(t.name for t in tools) or "none"
        print(f"hybridbot: {server} has no tool {tool_name!r} (or its allow list hides it). Tools: {names}.")
        return EXIT_USAGE
    if tool.changes_things and not args.yes and not _confirmed(ask, tool.name):
        print("Not run.")
        return 1
    result = await run_tool(tool, arguments)
    print(result.text)
    return 1 if result.is_error else 0


def _confirmed(ask: Callable[[str], str], name: str) -> bool:
    try:
        answer = ask(f"{name} may change things (not annotated read-only, or listed in confirm). Run it? [y/N] ")
    except EOFError:
        return False
    return answer.strip().lower() in ("y", "yes")


def _unknown_server(manager: Any, server: str) -> int:
    print(f"hybridbot: no MCP server named {server!r}. Servers: {', '.join(manager.connections)}.")
    return EXIT_USAGE


def _yn(flag: bool) -> str:
    return "yes" if flag else "no"
