"""Discord's side of crash recovery (bot/recovery.py): edit an interrupted answer in place, answer stored turns."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from bot.recovery import INTERRUPTED_NOTE
from bot.session import SessionKey
from bot.turns import ReplySink

if TYPE_CHECKING:
    from adapters.discord.client import HybridBot

log = logging.getLogger("hybridbot.discord.recovery")
LIMIT = 2000  # characters per Discord message


class DiscordRecovery:
    platform = "discord"

    def __init__(self, bot: HybridBot) -> None:
        self.bot = bot

    async def note_interrupted(self, turn_id: int, key: SessionKey, links: list[tuple[str, str]]) -> None:
        note = f"-# {INTERRUPTED_NOTE}"
        if links:
            channel_id, message_id = links[-1]
            channel = self.bot.get_partial_messageable(int(channel_id))
            message = await channel.fetch_message(int(message_id))
            content = f"{message.content}\n{note}"
            if len(content) <= LIMIT:
                await message.edit(content=content)
                log.info("turn %s: its answer in %s now says it was interrupted", turn_id, channel_id)
                return
        channel = self.bot.get_partial_messageable(int(key.thread or key.channel))
        sent = await channel.send(note)  # nothing shown yet, or no room left in the last message
        self.bot.answers.link(str(channel.id), str(sent.id), turn_id)  # 🔁 on the note answers again

    def sink_for(self, key: SessionKey, user_id: str) -> ReplySink:
        from adapters.discord.client import Where

        conv = self.bot.engine.store.conversation(key)
        channel = self.bot.get_partial_messageable(int(key.thread or key.channel))
        return self.bot.sink(Where(key, channel, private=conv.private))
