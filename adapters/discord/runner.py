"""Entry points for `hybridbot run` and `hybridbot discord sync`."""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Mapping

import aiohttp
import discord
import yarl
from discord import app_commands
from discord.gateway import DiscordWebSocket

from adapters.discord.client import HybridBot, sync_tree
from adapters.discord.commands import build_commands, commands_manifest
from bot.config import Settings
from bot.engine import Engine

log = logging.getLogger("hybridbot.discord")

__all__ = ["commands_manifest", "discord_configured", "endpoints", "run_discord", "sync_commands"]

PRIVILEGED_HINT = (
    "Discord refused the Message Content intent. Enable it for the bot under Developer Portal → "
    "your application → Bot → Privileged Gateway Intents → Message Content Intent."
)


START_RETRY = 1.0  # seconds before retrying an unreachable Discord at start-up, doubling to MAX_START_RETRY
MAX_START_RETRY = 60.0


class DiscordStartError(Exception):
    """The Discord adapter cannot start; the message says what to fix."""


def discord_configured(settings: Settings) -> bool:
    return bool(settings.secret("DISCORD_TOKEN"))


def endpoints(settings: Settings, env: Mapping[str, str] | None = None) -> tuple[str, str]:
    """REST base and gateway URLs: DISCORD_API_URL / DISCORD_GATEWAY_URL, else the [discord] settings."""
    env = os.environ if env is None else env
    api = (env.get("DISCORD_API_URL") or settings.discord.api_url).rstrip("/")
    gateway = env.get("DISCORD_GATEWAY_URL") or settings.discord.gateway_url
    if not api.startswith(("http://", "https://")):
        raise DiscordStartError(f"DISCORD_API_URL must be an http(s) URL, got {api!r}.")
    if not gateway.startswith(("ws://", "wss://")):
        raise DiscordStartError(f"DISCORD_GATEWAY_URL must be a ws(s) URL, got {gateway!r}.")
    return api, gateway


def point_at(api_url: str, gateway_url: str) -> None:
    """discord.py has no base-URL option: REST goes to Route.BASE, a plain client's gateway to DEFAULT_GATEWAY."""
    discord.http.Route.BASE = api_url
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)


def _token(settings: Settings) -> str:
    token = settings.secret("DISCORD_TOKEN")
    if not token:
        raise DiscordStartError("DISCORD_TOKEN is not set; the Discord adapter needs the bot token.")
    return token


async def run_discord(engine: Engine, settings: Settings) -> None:
    """Connect and answer until cancelled.

    discord.py reconnects and resumes dropped gateway sessions itself; this also retries (with backoff) when
    Discord can't be reached at start-up. A bad token or a missing privileged intent stops with a clear error.
    """
    token = _token(settings)
    point_at(*endpoints(settings))
    delay = START_RETRY
    while True:
        bot = HybridBot(engine, settings.discord)
        try:
            async with bot:
                await bot.start(token)
            return
        except discord.LoginFailure:
            raise DiscordStartError("Discord rejected DISCORD_TOKEN (401). Copy the bot token again.") from None
        except discord.PrivilegedIntentsRequired:
            raise DiscordStartError(PRIVILEGED_HINT) from None
        except (aiohttp.ClientError, OSError, discord.GatewayNotFound, discord.DiscordServerError) as error:
            log.warning("Discord is unreachable (%s); retrying in %.0f s", type(error).__name__, delay)
        await asyncio.sleep(delay)
        delay = min(delay * 2, MAX_START_RETRY)


async def sync_commands(settings: Settings) -> str:
    """Register the slash commands with Discord (globally, or to [discord].command_guilds); say what was done."""
    token = _token(settings)
    point_at(*endpoints(settings))
    client = discord.Client(intents=discord.Intents.none())
    tree = app_commands.CommandTree(client)
    for command in build_commands():
        tree.add_command(command)
    try:
        async with client:
            await client.login(token)
            summary = await sync_tree(tree, settings.discord.command_guilds)
    except discord.LoginFailure:
        raise DiscordStartError("Discord rejected DISCORD_TOKEN (401). Copy the bot token again.") from None
    log.info("synced %s", summary)
    return f"Synced {summary}: " + " ".join(f"/{c.name}" for c in tree.get_commands())
