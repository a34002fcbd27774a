"""Entry points for `hybridbot run` and `hybridbot manifest slack [--http]`.

- Socket Mode when SLACK_APP_TOKEN is set (no public URL needed), else HTTP mode on PORT (default 3000,
  or `slack.port`) at `slack.path`, verifying requests with SLACK_SIGNING_SECRET.
- SLACK_API_URL (not a secret) overrides `slack.api_url`, the Web API base (default https://slack.com/api/).
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

from adapters.slack.manifest import manifest_text
from bot.config import Settings
from bot.engine import Engine

if TYPE_CHECKING:
    from adapters.slack.app import SlackAdapter

__all__ = ["manifest_text", "run_slack", "slack_configured"]


def slack_configured(settings: Settings) -> bool:
    """A bot token plus either an app token (Socket Mode) or a signing secret (HTTP mode) — or, before the app
    is installed, a signing secret alone (HTTP mode answering Slack's URL verification only)."""
    has = settings.secret
    return bool(has("SLACK_SIGNING_SECRET")) or (bool(has("SLACK_BOT_TOKEN")) and bool(has("SLACK_APP_TOKEN")))


async def run_slack(engine: Engine, settings: Settings) -> None:
    """Run the Slack adapter until cancelled."""
    from adapters.slack.app import SlackAdapter

    adapter = SlackAdapter(engine, settings)
    adapter.bot.client.retry_handlers.insert(0, Count429(engine))  # Slack's 429s → /metrics
    await adapter.start()
    engine.readiness.register("slack", lambda: _connected(adapter))  # for /readyz
    from adapters.slack.recovery import SlackRecovery
    from bot.recovery import recover_platform

    resumed = await recover_platform(engine, SlackRecovery(adapter.bot))  # what a crash left unfinished
    from adapters.slack.approvals import note_interrupted_approvals

    await note_interrupted_approvals(adapter.bot)  # approval prompts the last process left waiting
    try:
        await asyncio.Event().wait()
    finally:
        for task in resumed:
            task.cancel()
        await adapter.stop()


async def _connected(adapter: SlackAdapter) -> bool:
    """Socket Mode: the websocket is up and answering pings; HTTP mode: the server is listening."""
    if adapter.socket is not None:
        return bool(await adapter.socket.client.is_connected())
    return adapter.runner is not None


class Count429(AsyncRetryHandler):
    """Counts Slack's 429 answers on the engine's metrics; never retries itself (the next handler does)."""

    def __init__(self, engine: Engine) -> None:
        super().__init__(max_retry_count=0)
        self.metrics = engine.metrics

    async def can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if response is not None and response.status_code == 429:
            self.metrics.met_429("slack")
        return False
