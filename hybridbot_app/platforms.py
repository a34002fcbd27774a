"""`hybridbot run`: which platform adapters are configured, and running them side by side."""

from __future__ import annotations

import asyncio
import logging
import signal
from dataclasses import dataclass

from bot.config import Settings
from bot.gc_settle import freeze_when_started

log = logging.getLogger("hybridbot.run")


@dataclass(frozen=True)
class PlatformStatus:
    name: str
    ready: bool
    state: str


def platform_status(settings: Settings) -> list[PlatformStatus]:
    has = settings.secret
    if has("SLACK_BOT_TOKEN") and has("SLACK_APP_TOKEN"):
        slack = PlatformStatus("slack", True, "configured (Socket Mode)")
    elif has("SLACK_BOT_TOKEN") and has("SLACK_SIGNING_SECRET"):
        slack = PlatformStatus("slack", True, f"configured (HTTP mode on port {settings.slack.port})")
    elif has("SLACK_SIGNING_SECRET") and not has("SLACK_APP_TOKEN"):
        state = f"URL verification only (HTTP mode on port {settings.slack.port}): install the app, then set SLACK_BOT_TOKEN and restart"
        slack = PlatformStatus("slack", True, state)
    elif has("SLACK_BOT_TOKEN"):
        slack = PlatformStatus(
            "slack",
            False,
            "SLACK_BOT_TOKEN is set, but neither SLACK_APP_TOKEN (Socket Mode) nor "
            "SLACK_SIGNING_SECRET (HTTP mode) — set one of them",
        )
    else:
        slack = PlatformStatus("slack", False, "not configured (SLACK_BOT_TOKEN unset)")
    if has("DISCORD_TOKEN"):
        discord = PlatformStatus("discord", True, "configured")
    else:
        discord = PlatformStatus("discord", False, "not configured (DISCORD_TOKEN unset)")
    return [slack, discord]


async def run_platforms(settings: Settings, platforms: list[PlatformStatus]) -> int:
    """Run every ready adapter on one engine until SIGINT/SIGTERM or an adapter fails."""
    from bot.app import build_app

    app = build_app(settings)
    for note in app.notes:
        log.warning("%s", note)
    runners = []
    for platform in platforms:
        if platform.name == "slack":
            from adapters.slack.runner import run_slack

            runners.append(asyncio.create_task(run_slack(app.engine, settings), name="slack"))
        elif platform.name == "discord":
            from adapters.discord.runner import run_discord

            runners.append(asyncio.create_task(run_discord(app.engine, settings), name="discord"))
    from bot.ops import start_operations

    ops = await start_operations(app.engine, settings, runners)  # /healthz /readyz /metrics, retention purge
    warming = asyncio.create_task(app.engine.catalog.warm_up(settings.routing.local_model), name="warm-up")
    freezing = asyncio.create_task(freeze_when_started(), name="gc-freeze")  # full collections skip start-up's
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    stopper = asyncio.create_task(stop.wait(), name="stop")
    status = 0
    try:
        done, _ = await asyncio.wait([*runners, stopper], return_when=asyncio.FIRST_COMPLETED)
        for task in done:
            if task is not stopper and task.exception() is not None:
                log.error("%s adapter stopped: %s", task.get_name(), task.exception())
                print(f"hybridbot: the {task.get_name()} adapter stopped: {task.exception()}")
                status = 1
    finally:
        for task in [*runners, stopper, warming, freezing]:
            task.cancel()
        await asyncio.gather(*runners, stopper, warming, freezing, return_exceptions=True)
        await ops.aclose()
        await app.engine.aclose()
    return status
