"""``[[mcp.servers]]`` entries: which MCP servers exist, how to reach them and what they may do.

Validated strictly (unknown keys, both or neither of ``command``/``url``, dotted names) so a
mistake is reported at start-up with the key to fix. ``locality`` defaults to ``remote``: a server
only counts as keeping data on your machines when an operator says so.
"""

from __future__ import annotations

from fnmatch import fnmatchcase
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class McpServerConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[A-Za-z0-9_-]{1,40}$")  # no dots: tools are named "<name>.<tool>"
    command: str | None = None  # stdio: the program to start, with args and extra env
    args: list[str] = Field(default_factory=list)
    env: dict[str, str] = Field(default_factory=dict)
    url: str | None = Field(default=None, pattern=r"^https?://")  # streamable HTTP
    locality: Literal["local", "remote"] = "remote"
    timeout: float = Field(default=30.0, gt=0, le=600)  # start-up, each list and each call
    agents: list[str] = Field(default_factory=lambda: ["*"])  # globs over agent names
    tools: list[str] = Field(default_factory=lambda: ["*"])  # allow list, globs over the server's tool names
    confirm: list[str] | None = None  # tools that need approval; None: every tool not annotated read-only

    @model_validator(mode="after")
    def _one_transport(self) -> McpServerConfig:
        if (self.command is None) == (self.url is None):
            raise ValueError(
                f"mcp server {self.name!r}: set either command (a program speaking MCP on stdio) or url "
                "(a streamable HTTP endpoint), not both or neither"
            )
        if self.url is not None and (self.args or self.env):
            raise ValueError(f"mcp server {self.name!r}: args and env only apply to a command, not a url")
        return self

    @property
    def transport(self) -> Literal["stdio", "http"]:
        return "stdio" if self.command is not None else "http"

    def serves_agent(self, agent: str) -> bool:
        return any(fnmatchcase(agent, pattern) for pattern in self.agents)

    def allows_tool(self, tool: str) -> bool:
        return any(fnmatchcase(tool, pattern) for pattern in self.tools)

    def needs_confirm(self, tool: str, read_only: bool) -> bool:
        if self.confirm is None:
            return not read_only
        return any(fnmatchcase(tool, pattern) for pattern in self.confirm)


class McpConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    servers: list[McpServerConfig] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_names(self) -> McpConfig:
        names = [s.name for s in self.servers]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"mcp servers need unique names; repeated: {', '.join(duplicates)}")
        return self
