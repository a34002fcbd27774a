"""Entry points for `hybridbot run` and `hybridbot manifest slack [--http]`.

- Socket Mode when SLACK_APP_TOKEN is set (no public URL needed), else HTTP mode on PORT (default 3000,
  or `slack.port`) at `slack.path`, verifying requests with SLACK_SIGNING_SECRET.
- SLACK_API_URL (not a secret) overrides `slack.api_url`, the Web API base (default https://slack.com/api/).
"""

from __future__ import annotations

import asyncio

from adapters.slack.manifest import manifest_text
from bot.config import Settings
from bot.engine import Engine

__all__ = ["manifest_text", "run_slack", "slack_configured"]


def slack_configured(settings: Settings) -> bool:
    """A bot token plus either an app token (Socket Mode) or a signing secret (HTTP mode)."""
    return bool(settings.secret("SLACK_BOT_TOKEN")) and bool(
        settings.secret("SLACK_APP_TOKEN") or settings.secret("SLACK_SIGNING_SECRET")
    )


async def run_slack(engine: Engine, settings: Settings) -> None:
    """Run the Slack adapter until cancelled."""
    from adapters.slack.app import SlackAdapter

    adapter = SlackAdapter(engine, settings)
    await adapter.start()
    try:
        await asyncio.Event().wait()
    finally:
        await adapter.stop()
