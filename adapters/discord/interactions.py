"""Slash commands and autocomplete → the engine's commands; ephemeral answers, deferred when work is slow."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands

from adapters.discord.access import decide, is_channel_admin, requester
from adapters.discord.commands import BadOptions
from adapters.discord.history import with_extras
from adapters.discord.render import split_message
from bot.commands import MODEL_MODES, Choice, CommandContext, CommandResult, run_command
from bot.session import SessionKey

if TYPE_CHECKING:
    from adapters.discord.client import HybridBot

log = logging.getLogger("hybridbot.discord.commands")

ACK_BUDGET = 2.0  # seconds of work before deferring (Discord wants an answer within 3 s)
# Autocomplete can't be deferred and must be answered within 3 s of the keystroke: answer with less rather than late,
# leaving at least 1 s of the 3 for the gateway delivering the interaction and our callback reaching Discord.
AUTOCOMPLETE_BUDGET = 2.0
MAX_CHOICES = 25
SERVER_SCOPES = {"workspace", "server"}
NOT_ALLOWED = "Sorry — you can't use this bot here."
NEEDS_SERVER = "Server-wide settings need a server: run this in a server channel. Here you can use 'me' or 'here'."
BAD_OPTIONS = (
    "⚠️ I couldn't read the options of /{name} ({detail}). Discord may still show an older version of this "
    "command — try again in a minute, or see /help."
)
FAILED = "⚠️ /{name} failed on my side; nothing was changed. Try again, or see /help."


class SlashCommands:
    def __init__(self, bot: HybridBot) -> None:
        self.bot = bot

    def context(self, interaction: discord.Interaction) -> CommandContext:
        channel = interaction.channel
        user = interaction.user
        if interaction.guild_id is None:
            key = SessionKey("discord", "", str(interaction.channel_id))
            return CommandContext(key, str(user.id), user.display_name, private=True, can_change_channel=True)
        guild = str(interaction.guild_id)
        if isinstance(channel, discord.Thread):
            key = SessionKey("discord", guild, str(channel.parent_id), str(channel.id))
        else:
            key = SessionKey("discord", guild, str(interaction.channel_id))
        admin = is_channel_admin(self.bot.cfg, user, interaction.permissions)
        return CommandContext(key, str(user.id), user.display_name, private=False, can_change_channel=admin)

    def _refusal(self, interaction: discord.Interaction) -> str:
        dm = interaction.guild_id is None
        return decide(self.bot.cfg, requester(interaction.user, interaction.channel, dm=dm))

    async def run(self, interaction: discord.Interaction, name: str, args: list[str]) -> None:
        if reason := self._refusal(interaction):
            log.info("/%s refused: %s", name, reason)
            await interaction.response.send_message(NOT_ALLOWED, ephemeral=True)
            return
        ctx = self.context(interaction)
        if ctx.private and any(a.lower() in SERVER_SCOPES for a in args):
            await interaction.response.send_message(NEEDS_SERVER, ephemeral=True)
            return
        ctx = await with_extras(self.bot, interaction, ctx, name)  # /summarize, /kb (adapters/discord/history.py)
        work = asyncio.ensure_future(run_command(self.bot.engine, ctx, " ".join([name, *args])))
        done, _ = await asyncio.wait({work}, timeout=ACK_BUDGET)
        if not done:
            await interaction.response.defer(ephemeral=True, thinking=True)
        result = await work
        log.info("/%s by %s in %s: %s", name, ctx.user_id, ctx.key, "ok" if result.ok else "refused")
        await self._answer(interaction, result, private=ctx.private)

    async def _answer(self, interaction: discord.Interaction, result: CommandResult, *, private: bool) -> None:
        parts = split_message(result.text) or ["Done."]
        none = discord.AllowedMentions.none()
        if interaction.response.is_done():
            await interaction.followup.send(parts[0], ephemeral=True, allowed_mentions=none)
        else:
            await interaction.response.send_message(parts[0], ephemeral=True, allowed_mentions=none)
        for part in parts[1:]:
            await interaction.followup.send(part, ephemeral=True, allowed_mentions=none)
        if result.announce and not private:
            await interaction.followup.send(result.announce, allowed_mentions=none)

    async def complete(
        self, interaction: discord.Interaction, name: str, current: str
    ) -> list[app_commands.Choice[str]]:
        if self._refusal(interaction):
            return []
        ctx = self.context(interaction)
        try:
            result = await asyncio.wait_for(run_command(self.bot.engine, ctx, name), AUTOCOMPLETE_BUDGET)
        except TimeoutError:  # autocomplete can't be deferred: offer what needs no catalog
            log.info("autocomplete for /%s timed out; offering the modes only", name)
            modes = MODEL_MODES if name == "model" else ()
            result = CommandResult("", choices=[Choice(mode, mode) for mode in modes])
        typed = current.strip().lower()
        choices = [c for c in result.choices if typed in c.value.lower()]
        if ctx.private:  # a private conversation can't use the cloud: don't offer it
            choices = [c for c in choices if c.value != "cloud" and not c.label.startswith("☁")]
        choices.sort(key=lambda c: not c.current)  # stable: the current one first, then catalog order
        return [
            app_commands.Choice(name=_label(c.label, c.current), value=c.value[:100]) for c in choices[:MAX_CHOICES]
        ]

    async def on_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        data: dict[str, Any] = dict(interaction.data or {})
        name = interaction.command.name if interaction.command else str(data.get("name", "?"))
        if isinstance(error, BadOptions | app_commands.TransformerError | app_commands.CommandSignatureMismatch):
            text = BAD_OPTIONS.format(name=name, detail=_detail(error))
            log.info("/%s had options I could not read: %s", name, type(error).__name__)
        elif isinstance(error, app_commands.CommandNotFound):
            text = f"⚠️ I don't know /{name} (any more). See /help for what I can do."
            log.info("unknown command /%s", name)
        else:
            original = getattr(error, "original", error)
            log.error("/%s failed: %s", name, type(original).__name__, exc_info=original)
            text = FAILED.format(name=name)
        try:
            if interaction.response.is_done():
                await interaction.followup.send(text, ephemeral=True)
            else:
                await interaction.response.send_message(text, ephemeral=True)
        except discord.HTTPException as failure:
            log.warning("could not report a command error: %s", failure.status)


def _label(label: str, current: bool) -> str:
    text = f"{label} (current)" if current else label
    return text if len(text) <= 100 else text[:99] + "…"


def _detail(error: app_commands.AppCommandError) -> str:
    if isinstance(error, app_commands.TransformerError):
        return f"'{error.value}' is not a valid {error.type.name} value"
    if isinstance(error, BadOptions):
        return f"{error.value!r} is not a single word of text"
    return "they don't match this command"
