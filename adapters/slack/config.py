"""The [slack] config section (no secrets here: tokens come from the environment).

Environment overrides read by the Slack runner (not secrets): SLACK_API_URL → api_url, PORT → port.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator


class SlackConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    # Web API base (GovSlack, proxies, tests); a trailing "/" is added when missing.
    api_url: str = "https://slack.com/api/"
    # HTTP mode (used when SLACK_APP_TOKEN is unset): where Slack posts events, commands and interactivity.
    host: str = "0.0.0.0"
    port: int = Field(3000, ge=0, le=65535)
    path: str = "/slack/events"
    # Conversations
    answer_thread_replies: bool = True  # answer messages in threads the bot is part of without a new mention
    channel_mode_channels: list[str] = Field(default_factory=list)  # top-level mentions share the channel session
    # Private channels and group DMs are private conversations (local models only), like DMs. The operator may
    # let listed private channels or group DMs use the normal privacy rules instead; DMs always stay private.
    private_channels_opt_out: list[str] = Field(default_factory=list)
    answer_other_bots: bool = False
    # Teams (T…) or Enterprise Grid orgs (E…) accepted besides the bot's own team; every other team is ignored.
    allowed_team_ids: list[str] = Field(default_factory=list)
    lookup_ttl: float = Field(600.0, ge=0.0, le=86_400.0)  # seconds users.info / conversations.info answers are kept
    # Channel- and workspace-wide changes (/model, /agent, /privacy, their clear): only admins, or everyone
    admin_only_channel_changes: bool = True  # as on Discord: members set only "me" (and thread) settings
    admin_user_ids: list[str] = Field(default_factory=list)
    # Streaming
    stream_mode: Literal["update", "native"] = "native"  # native: chat.startStream, falls back to chat.update
    update_interval: float = Field(1.0, ge=0.0, le=30.0)  # seconds between edits of one message
    first_text_delay: float = Field(0.04, ge=0.0, le=1.0)  # seconds from the first token to the first post
    channel_rate: float = Field(1.0, ge=0.0, le=100.0)  # new messages per second per channel (0: unpaced)
    section_chars: int = Field(2900, ge=200, le=3000)  # a section block holds at most 3000 chars
    sections_per_message: int = Field(4, ge=1, le=40)
    # slack-sdk retries
    max_rate_limit_retries: int = Field(3, ge=0, le=10)
    max_connection_retries: int = Field(2, ge=0, le=10)
    # Assistant pane
    suggested_prompts: list[str] = Field(
        default_factory=lambda: ["What can you do?", "Summarise this text for me", "Explain a piece of code"]
    )

    @field_validator("api_url")
    @classmethod
    def _slash(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL such as https://slack.com/api/")
        return value if value.endswith("/") else value + "/"

    @field_validator("path")
    @classmethod
    def _path(cls, value: str) -> str:
        if not value.startswith("/"):
            raise ValueError("must start with '/'")
        return value
