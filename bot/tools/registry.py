"""Where a turn's candidate tools come from: built-ins plus any number of sources (MCP servers,
knowledge collections, …). No policy here — ``bot.tools.policy`` decides what a turn is offered.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Protocol

from bot.tools.base import Tool

log = logging.getLogger(__name__)


class ToolSource(Protocol):
    """Anything that can list tools (an MCP manager, a knowledge base). Listing may do I/O and may
    fail; a failing source contributes no tools for that turn and is logged by name only."""

    name: str

    async def list_tools(self) -> Sequence[Tool]: ...


class ToolRegistry:
    def __init__(self, builtins: Sequence[Tool] = (), sources: Sequence[ToolSource] = ()) -> None:
        self._builtins: dict[str, Tool] = {t.name: t for t in builtins}
        self._sources: list[ToolSource] = list(sources)

    def add_builtin(self, tool: Tool) -> None:
        self._builtins[tool.name] = tool

    def add_source(self, source: ToolSource) -> None:
        self._sources.append(source)

    @property
    def builtins(self) -> list[Tool]:
        return list(self._builtins.values())

    @property
    def sources(self) -> list[ToolSource]:
        return list(self._sources)

    async def aclose(self) -> None:
        """Stop what the sources run (MCP server processes); a source without ``aclose`` has nothing to stop."""
        for source in self._sources:
            close = getattr(source, "aclose", None)
            if close is not None:
                try:
                    await close()
                except Exception as error:  # noqa: BLE001 - closing one source must not keep others running
                    log.warning("tool source %s failed to close: %s", source.name, type(error).__name__)

    async def all_tools(self) -> list[Tool]:
        tools = list(self._builtins.values())
        for source in self._sources:
            try:
                tools.extend(await source.list_tools())
            except Exception as error:  # noqa: BLE001 - one broken source must not break the turn
                log.warning("tool source %s failed to list tools: %s", source.name, type(error).__name__)
        return tools
