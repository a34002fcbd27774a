"""`hybridbot doctor`: the core's checks plus each configured platform's own."""

from __future__ import annotations

from bot.config import Settings
from bot.doctor import run_checks as core_checks


async def run_checks(settings: Settings) -> list[tuple[bool, str]]:
    return await core_checks(settings, platform_checks=[_slack_check])


async def _slack_check(settings: Settings) -> list[tuple[bool, str]]:
    """Slack's token and what it was granted (only when a token is set)."""
    if not settings.secret("SLACK_BOT_TOKEN"):
        return []
    from adapters.slack.doctor import check_slack

    return await check_slack(settings)
