"""Config sections for features: turn limits, tools, attachments, memory and agents (re-exported by
bot/config.py)."""

from __future__ import annotations

from pydantic import Field, field_validator

from bot.config_section import Section as _Section


class LimitsConfig(_Section):
    """Sliding-window turn limits per user and per channel: each tier is "COUNT/WINDOW" (e.g. "10/minute")."""

    enabled: bool = True
    platforms: list[str] = Field(default_factory=lambda: ["slack", "discord"])
    user: list[str] = Field(default_factory=lambda: ["10/minute", "100/hour", "1000/day"])
    channel: list[str] = Field(default_factory=lambda: ["10/minute", "100/hour", "1000/day"])
    overrides: dict[str, list[str]] = Field(default_factory=dict)  # user or channel id -> its own tiers

    @field_validator("user", "channel")
    @classmethod
    def _tiers(cls, value: list[str]) -> list[str]:
        from bot.ratelimit import parse_tiers

        parse_tiers(value)
        return value

    @field_validator("overrides")
    @classmethod
    def _override_tiers(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        from bot.ratelimit import parse_tiers

        for tiers in value.values():
            parse_tiers(tiers)
        return value


class FetchUrlConfig(_Section):
    enabled: bool = False  # fetch_url sends a request off this machine: off unless the operator turns it on
    max_bytes: int = Field(2_000_000, ge=1_000, le=50_000_000)
    timeout: float = Field(10.0, gt=0, le=120)
    max_redirects: int = Field(3, ge=0, le=10)
    max_chars: int = Field(8_000, ge=500, le=200_000)  # of readable text handed to the model; the rest is cut


class ToolsConfig(_Section):
    approval_timeout: float = Field(300.0, gt=0, le=86_400)  # no decision in time means deny
    time_budget: float = Field(60.0, gt=0, le=3_600)  # all tool calls of one turn together
    timezone: str = "UTC"  # for `now` and due dates when the platform gives no time zone
    fetch_url: FetchUrlConfig = Field(default_factory=FetchUrlConfig)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}: use an IANA name such as 'Europe/Paris'") from None
        return value


class AttachmentsConfig(_Section):
    """Files and images in messages (README "Files and images")."""

    enabled: bool = True
    max_files: int = Field(5, ge=1, le=50)  # per message; the rest are named and skipped
    max_file_bytes: int = Field(20_000_000, ge=1_000, le=500_000_000)  # larger files are not downloaded
    max_image_bytes: int = Field(8_000_000, ge=1_000, le=100_000_000)
    max_chars: int = Field(24_000, ge=1_000, le=1_000_000)  # extracted text added to a turn, all files together
    download_timeout: float = Field(20.0, gt=0, le=600)
    extract_timeout: float = Field(30.0, gt=0, le=600)  # per file (PDF/DOCX parsing runs in a thread)


class MemoryConfig(_Section):
    """What each person asks the bot to remember (README "Memory")."""

    enabled: bool = True
    max_facts: int = Field(50, ge=1, le=1_000)  # per person and platform
    max_fact_chars: int = Field(500, ge=20, le=4_000)


class AgentsConfig(_Section):
    max_tool_rounds: int = Field(6, ge=1, le=50)  # model steps that may call tools, per turn
