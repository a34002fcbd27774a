"""``[[mcp.servers]]`` entries: which MCP servers exist, how to reach them and what they may do.

Validated strictly (unknown keys, both or neither of ``command``/``url``, dotted names, secrets
written into the file) so a mistake is reported at start-up with the key to fix. ``locality``
defaults to ``remote``: a server only counts as keeping data on your machines when an operator says so.

Secrets never sit in the TOML: ``env_from`` (stdio) and ``headers_from`` (HTTP) name environment
variables of the bot whose values are handed to the server when it starts. A ``env`` key that looks
like a secret (``*TOKEN*``, ``*SECRET*``, ``*PASSWORD*``, ``*API_KEY*``…) is rejected with that hint.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from fnmatch import fnmatchcase
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

SECRET_NAME = re.compile(r"TOKEN|SECRET|PASSW|API_?KEY|PRIVATE_?KEY|CREDENTIAL", re.IGNORECASE)
ENV_NAME = r"^[A-Za-z_][A-Za-z0-9_]*$"


class McpServerConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[A-Za-z0-9_-]{1,40}$")  # no dots: tools are named "<name>.<tool>"
    command: str | None = None  # stdio: the program to start, with args and extra env
    args: list[str] = Field(default_factory=list)
    env: dict[str, str] = Field(default_factory=dict)  # plain settings for the server process (no secrets)
    env_from: dict[str, str] = Field(default_factory=dict)  # server's variable -> the bot's environment variable
    url: str | None = Field(default=None, pattern=r"^https?://")  # streamable HTTP
    headers_from: dict[str, str] = Field(default_factory=dict)  # HTTP header -> the bot's environment variable
    locality: Literal["local", "remote"] = "remote"
    timeout: float = Field(default=30.0, gt=0, le=600)  # start-up with the first listing, each listing, each call
    agents: list[str] = Field(default_factory=lambda: ["*"])  # globs over agent names
    tools: list[str] = Field(default_factory=lambda: ["*"])  # allow list, globs over the server's tool names
    confirm: list[str] | None = None  # tools that need approval; None: every tool not annotated read-only

    @field_validator("env")
    @classmethod
    def _no_secrets_in_env(cls, value: dict[str, str]) -> dict[str, str]:
        for key in value:
            if SECRET_NAME.search(key):
                raise ValueError(
                    f"env key {key!r} looks like a secret; secrets are not written in the config file. "
                    f'Use env_from = {{ {key} = "NAME_OF_A_VARIABLE_IN_THE_BOTS_ENVIRONMENT" }} instead'
                )
        return value

    @field_validator("env_from", "headers_from")
    @classmethod
    def _variable_names(cls, value: dict[str, str]) -> dict[str, str]:
        for key, variable in value.items():
            if not re.match(ENV_NAME, variable):
                raise ValueError(f"{key!r} = {variable!r}: the value must name an environment variable")
        return value

    @model_validator(mode="after")
    def _one_transport(self) -> McpServerConfig:
        if (self.command is None) == (self.url is None):
            raise ValueError(
                f"mcp server {self.name!r}: set either command (a program speaking MCP on stdio) or url "
                "(a streamable HTTP endpoint), not both or neither"
            )
        if self.url is not None and (self.args or self.env or self.env_from):
            raise ValueError(f"mcp server {self.name!r}: args, env and env_from only apply to a command, not a url")
        if self.command is not None and self.headers_from:
            raise ValueError(f"mcp server {self.name!r}: headers_from only applies to a url, not a command")
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

    def missing_variables(self, environ: Mapping[str, str] | None = None) -> list[str]:
        """The environment variables ``env_from``/``headers_from`` name that are unset or empty."""
        environ = os.environ if environ is None else environ
        wanted = [*self.env_from.values(), *self.headers_from.values()]
        return [v for v in wanted if not environ.get(v)]

    def process_env(self, environ: Mapping[str, str] | None = None) -> dict[str, str]:
        """What the server process gets on top of the SDK's minimal environment (PATH, HOME, USER…):
        ``env`` and the values ``env_from`` names. The bot's own secrets are never passed otherwise."""
        environ = os.environ if environ is None else environ
        return {**self.env, **{key: environ.get(var, "") for key, var in self.env_from.items()}}

    def http_headers(self, environ: Mapping[str, str] | None = None) -> dict[str, str]:
        environ = os.environ if environ is None else environ
        return {header: environ.get(var, "") for header, var in self.headers_from.items()}


class McpConfig(BaseModel):
    """The ``[mcp]`` settings section: ``[[mcp.servers]]`` entries."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    servers: list[McpServerConfig] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_names(self) -> McpConfig:
        names = [s.name for s in self.servers]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"mcp servers need unique names; repeated: {', '.join(duplicates)}")
        return self
