"""/remember and /memory as Discord application commands (bot/memory_commands.py runs them)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands

if TYPE_CHECKING:
    from adapters.discord.commands import CommandHandler

MEMORY_ACTIONS = ("list", "forget", "channels")


def memory_commands(h: CommandHandler) -> list[app_commands.Command]:
    from adapters.discord.commands import _args, _choices, _describe

    @app_commands.command(name="remember", description=_describe("remember"))
    @app_commands.describe(fact="what to remember about you, e.g. 'I prefer metric units'")
    async def remember(interaction: discord.Interaction, fact: str) -> None:
        await h.run(interaction, "remember", [fact.strip()] if isinstance(fact, str) and fact.strip() else [])

    @app_commands.command(name="memory", description=_describe("memory"))
    @app_commands.describe(action="list, forget or channels", value="forget: a number or 'all'; channels: on or off")
    @app_commands.choices(action=_choices(MEMORY_ACTIONS))
    async def memory(interaction: discord.Interaction, action: str | None = None, value: str | None = None) -> None:
        await h.run(interaction, "memory", _args(action, value))

    return [remember, memory]
