"""Session keys: where a conversation lives, independent of any platform SDK."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SessionKey:
    platform: str  # "slack", "discord", "console"
    workspace: str  # Slack team id, Discord guild id ("" for DMs), "local" for the console
    channel: str
    thread: str | None = None  # thread ts / thread channel id; None for the channel itself

    def scope(self, level: str, user_id: str = "") -> str:
        """Settings scope id for this key at a layer: workspace, channel, thread or user."""
        base = f"{self.platform}/{self.workspace}"
        if level == "workspace":
            return f"workspace:{base}"
        if level == "channel":
            return f"channel:{base}/{self.channel}"
        if level == "thread":
            return f"thread:{base}/{self.channel}/{self.thread or ''}"
        if level == "user":
            return f"user:{base}/{user_id}"
        raise ValueError(f"unknown settings layer {level!r}")

    def __str__(self) -> str:
        parts = [self.platform, self.workspace, self.channel] + ([self.thread] if self.thread else [])
        return "/".join(parts)
