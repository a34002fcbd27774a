"""A channel's or thread's history for `/summarize`, read with discord.py's `channel.history` (GET
/channels/{id}/messages, 100 a page, newest first back to the window's start; discord.py waits out 429s as
Discord's `retry_after` says). Needs the
Read Message History permission. In a thread, `thread` reads the thread and `channel` its parent channel.
Also what `/summarize` and `/kb add` need from an interaction: progress lines, the attached file, admin rights.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import discord

from adapters.discord.attachments import _fetcher
from bot.attachments import Attachment
from bot.command_types import CommandContext
from bot.digest import MAX_MESSAGES, HistoryError, HistoryMessage, Scope

if TYPE_CHECKING:
    from adapters.discord.client import HybridBot

log = logging.getLogger("hybridbot.discord.history")

PAGE = 100  # the most Discord returns per call
CANT_READ = (
    "I can't read this channel's history: I need the **Read Message History** permission here "
    "(a server admin can grant it)."
)


class DiscordHistory:
    def __init__(self, channel: Any, parent: Any | None) -> None:
        self.channel, self.parent = channel, parent

    async def pages(self, scope: Scope, oldest: float) -> AsyncIterator[list[HistoryMessage]]:
        target = self.channel if scope == "thread" or self.parent is None else self.parent
        page: list[HistoryMessage] = []
        try:  # newest first, so a window with more than MAX_MESSAGES keeps its newest; stop at the window's start
            async for message in target.history(limit=MAX_MESSAGES, oldest_first=False):
                if message.created_at.timestamp() < oldest:
                    break
                page.append(_message(message))
                if len(page) >= PAGE:
                    yield page
                    page = []
        except discord.Forbidden:
            raise HistoryError(CANT_READ) from None
        except discord.HTTPException as error:
            log.info("history read failed: HTTP %s", error.status)
            raise HistoryError(f"Discord refused to show me this history (HTTP {error.status}); try again.") from None
        if page:
            yield page


def _message(message: discord.Message) -> HistoryMessage:
    author = message.author
    return HistoryMessage(
        author.display_name, message.clean_content, message.created_at.timestamp(), from_bot=bool(author.bot)
    )


def _is_admin(bot: HybridBot, interaction: discord.Interaction) -> bool:
    """Manage Server or Administrator in this server, or listed in `discord.admin_ids` (also in DMs)."""
    permissions = interaction.permissions
    if interaction.guild_id is not None and (permissions.manage_guild or permissions.administrator):
        return True
    roles = getattr(interaction.user, "roles", [])
    return bool(({str(interaction.user.id)} | {str(r.id) for r in roles}) & set(bot.cfg.admin_ids))


async def with_extras(
    bot: HybridBot, interaction: discord.Interaction, ctx: CommandContext, name: str
) -> CommandContext:
    """/summarize: deferred at once (it reads and writes for a while), history and a progress line that edits
    the deferred reply; /kb: the attached file and whether the caller is an admin."""
    if name == "summarize":
        await interaction.response.defer(ephemeral=True, thinking=True)
        channel = interaction.channel
        parent = channel.parent if isinstance(channel, discord.Thread) else None

        async def progress(line: str) -> None:
            try:
                await interaction.edit_original_response(content=line[:2000])
            except discord.HTTPException as error:  # progress is a courtesy: the answer still comes
                log.info("progress line not shown: HTTP %s", error.status)

        return replace(ctx, history=DiscordHistory(channel, parent), progress=progress)
    if name == "kb":
        file = getattr(interaction.namespace, "file", None)
        files: tuple[Attachment, ...] = ()
        if isinstance(file, discord.Attachment):
            files = (Attachment(file.filename, file.content_type or "", file.size or 0, fetch=_fetcher(file)),)
        return replace(ctx, attachments=files, is_admin=_is_admin(bot, interaction))
    return ctx
