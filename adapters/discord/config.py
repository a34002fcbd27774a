"""The [discord] config section (no secrets here: the token comes from the environment).

`DISCORD_API_URL` and `DISCORD_GATEWAY_URL` (environment) override `api_url` / `gateway_url`, for proxies
and for tests against a stand-in; the adapter reads them itself (see `adapters.discord.runner`).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

DEFAULT_API_URL = "https://discord.com/api/v10"
DEFAULT_GATEWAY_URL = "wss://gateway.discord.gg/"


class DiscordConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    api_url: str = DEFAULT_API_URL
    gateway_url: str = DEFAULT_GATEWAY_URL
    # "thread": a mention in a channel opens a thread from it; "inline": answer as a reply in the channel.
    reply_mode: Literal["thread", "inline"] = "thread"
    thread_auto_archive_minutes: Literal[60, 1440, 4320, 10080] = 1440
    respond_to_bots: bool = False
    # Streaming: seconds between edits of one channel's messages (Discord allows about 5 per 5 s).
    edit_interval: float = Field(1.0, ge=0.0, le=30.0)
    typing_indicator: bool = True
    # REST calls stay within Discord's global limit: at most this many in any second, new messages first; 0: off.
    rest_requests_per_second: float = Field(50.0, ge=0.0, le=1000.0)
    # A status such as "⏳ 2 ahead of you" is shown when the answer has not started after this many seconds.
    status_delay: float = Field(1.0, ge=0.0, le=30.0)
    # Application commands: sync at start, globally or (faster to appear) to these guild ids.
    sync_commands_on_start: bool = True
    command_guilds: list[str] = Field(default_factory=list)
    # Channel-wide /model, /agent, /privacy: members with Manage Server, or these user/role ids.
    admin_only_channel_changes: bool = True
    admin_ids: list[str] = Field(default_factory=list)
    # Access control. Empty allow lists allow everyone; block lists win. Channel lists match the channel,
    # a thread's parent channel and the category.
    allow_dms: bool = True
    allowed_users: list[str] = Field(default_factory=list)
    blocked_users: list[str] = Field(default_factory=list)
    allowed_roles: list[str] = Field(default_factory=list)
    blocked_roles: list[str] = Field(default_factory=list)
    allowed_channels: list[str] = Field(default_factory=list)
    blocked_channels: list[str] = Field(default_factory=list)
    # Waiting for guilds at start-up (discord.py's guild_ready_timeout).
    guild_ready_timeout: float = Field(2.0, ge=0.0, le=60.0)

    @field_validator(
        "command_guilds",
        "admin_ids",
        "allowed_users",
        "blocked_users",
        "allowed_roles",
        "blocked_roles",
        "allowed_channels",
        "blocked_channels",
    )
    @classmethod
    def _snowflakes(cls, value: list[str]) -> list[str]:
        for item in value:
            if not str(item).isdigit():
                raise ValueError(f"'{item}' is not a Discord id (digits only; enable Developer Mode to copy ids)")
        return [str(v) for v in value]

    @field_validator("api_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")

    @field_validator("gateway_url")
    @classmethod
    def _ws_url(cls, value: str) -> str:
        if not value.startswith(("ws://", "wss://")):
            raise ValueError("must start with ws:// or wss://")
        return value
