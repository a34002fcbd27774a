"""Slack's side of crash recovery (bot/recovery.py): edit an interrupted answer in place, answer stored turns."""

from __future__ import annotations

import logging
from typing import Any

from adapters.slack.app import SlackBot
from adapters.slack.blocks import MAX_BLOCKS, context, section
from bot.recovery import INTERRUPTED_NOTE
from bot.session import SessionKey
from bot.turns import ReplySink

log = logging.getLogger("hybridbot.slack.recovery")


class SlackRecovery:
    platform = "slack"

    def __init__(self, bot: SlackBot) -> None:
        self.bot = bot

    async def note_interrupted(self, turn_id: int, key: SessionKey, links: list[tuple[str, str]]) -> None:
        note = context([INTERRUPTED_NOTE])
        if not links:  # nothing was shown yet: say so where the answer would have been
            sent = await self.bot.client.chat_postMessage(
                channel=key.channel, thread_ts=key.thread, text=INTERRUPTED_NOTE, blocks=[note]
            )
            self.bot.index.link(key.channel, str(sent.get("ts")), turn_id)  # 🔁 on the note answers again
            return
        channel, ts = links[-1]
        shown = await self._shown(channel, ts)
        sections = [b for b in shown.get("blocks") or [] if b.get("type") == "section"]
        if not sections and shown.get("text"):  # a natively streamed message: its text is the answer so far
            sections = [section(str(shown["text"]))]
        text = (str(shown.get("text") or "") + "\n\n" + INTERRUPTED_NOTE).strip()
        await self.bot.client.chat_update(
            channel=channel, ts=ts, text=text[:3000], blocks=[*sections[: MAX_BLOCKS - 1], note]
        )
        log.info("turn %s: its answer in %s now says it was interrupted", turn_id, channel)

    async def _shown(self, channel: str, ts: str) -> dict[str, Any]:
        # Slack lists a thread oldest first: start the range at the message itself (its thread's first message
        # may come before it).
        replies = await self.bot.client.conversations_replies(
            channel=channel, ts=ts, oldest=ts, inclusive=True, limit=2
        )
        return next((m for m in replies.get("messages") or [] if m.get("ts") == ts), {})

    def sink_for(self, key: SessionKey, user_id: str) -> ReplySink:
        return self.bot.sink(key, key.channel, key.thread, user_id)
