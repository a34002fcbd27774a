"""All configured MCP servers as one tool source (I/O through ``McpConnection``).

``McpManager`` is a ``ToolSource`` (``bot.tools.registry``): ``list_tools()`` gives every server's
allowed tools, namespaced ``server.tool``. Servers are asked concurrently, so a hung server costs at
most its own ``timeout``; a server that fails contributes no tools and one log line naming it (the
reason is ours — never arguments or results). Nothing starts until tools are first asked for, and
``aclose()`` stops every server process (the engine's ``aclose`` calls it through the registry).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from bot.tools.base import Tool
from bot.tools.mcp_client import McpConnection
from bot.tools.mcp_config import McpConfig

log = logging.getLogger(__name__)


class McpManager:
    name = "mcp"

    def __init__(self, config: McpConfig, **connection_options: Any) -> None:
        self.connections = {s.name: McpConnection(s, **connection_options) for s in config.servers}
        self.unavailable: dict[str, str] = {}  # server -> why, from the last listing

    async def list_tools(self) -> list[Tool]:
        """Every server's tools (each tool carries its server's ``agents`` fence for the policy)."""
        tools, _ = await self.tools_from(list(self.connections.values()))
        return tools

    async def tools_for(self, agent: str) -> tuple[list[Tool], dict[str, str]]:
        """The tools of every server serving ``agent`` (others are not even started), and the
        servers that are unavailable with the reason."""
        return await self.tools_from([c for c in self.connections.values() if c.config.serves_agent(agent)])

    async def tools_from(self, serving: list[McpConnection]) -> tuple[list[Tool], dict[str, str]]:
        listed = await asyncio.gather(*(c.tools() for c in serving), return_exceptions=True)
        tools: list[Tool] = []
        unavailable: dict[str, str] = {}
        for connection, outcome in zip(serving, listed, strict=True):
            if isinstance(outcome, BaseException):
                unavailable[connection.name] = str(outcome) or type(outcome).__name__
                if connection.name not in self.unavailable:  # once per outage, not once per turn
                    log.warning("mcp %s: unavailable, its tools are left out until it answers", connection.name)
            else:
                tools.extend(outcome)
                self.unavailable.pop(connection.name, None)
        self.unavailable.update(unavailable)
        return tools, unavailable

    def get(self, server: str) -> McpConnection | None:
        return self.connections.get(server)

    async def aclose(self) -> None:
        await asyncio.gather(*(c.close() for c in self.connections.values()))

    close = aclose
