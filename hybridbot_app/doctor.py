"""`hybridbot doctor`: the core's checks plus each configured platform's own."""

from __future__ import annotations

from bot.config import Settings
from bot.doctor import run_checks as core_checks


async def run_checks(settings: Settings) -> list[tuple[bool, str]]:
    return await core_checks(settings, platform_checks=[_slack_check, _mcp_check])


async def _slack_check(settings: Settings) -> list[tuple[bool, str]]:
    """Slack's token and what it was granted (only when a token is set)."""
    if not settings.secret("SLACK_BOT_TOKEN"):
        return []
    from adapters.slack.doctor import check_slack

    return await check_slack(settings)


async def _mcp_check(settings: Settings) -> list[tuple[bool, str]]:
    """Each MCP server's configuration, without starting it (`hybridbot mcp list` starts and checks them)."""
    import shutil

    results = []
    for server in settings.mcp.servers:
        where = f"mcp server {server.name} ({server.transport}, {server.locality})"
        missing = server.missing_variables()
        if missing:
            results.append((False, f"{where}: environment variable(s) {', '.join(missing)} not set — set them"))
        elif server.command is not None and shutil.which(server.command) is None:
            results.append((False, f"{where}: program {server.command!r} not found — install it or fix command"))
        else:
            results.append((True, f"{where}: configured; `hybridbot mcp list` starts it and shows its status"))
    return results
