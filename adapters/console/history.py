"""The console's history for `/summarize`: its own conversation as the bot stored it (there is no platform).

The console has no threads: `thread` and `channel` both mean this conversation. Messages the bot stored as
sensitive or local-only keep the digest local, as they keep every prompt local.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from bot.digest import MAX_MESSAGES, HistoryMessage, Scope
from bot.session import SessionKey
from bot.store import Store
from bot.store_digest import messages_since


class ConsoleHistory:
    def __init__(self, store: Store, key: SessionKey, bot_name: str, *, private: bool) -> None:
        self.store, self.key, self.bot_name, self.private = store, key, bot_name, private

    async def pages(self, scope: Scope, oldest: float) -> AsyncIterator[list[HistoryMessage]]:
        conv = self.store.conversation(self.key, private=self.private)
        rows = messages_since(self.store, conv.id, oldest, MAX_MESSAGES)
        yield [
            HistoryMessage(
                self.bot_name if r.role == "assistant" else (r.author_name or "you"),
                r.content,
                r.created_at,
                from_bot=r.role == "assistant",
                marked=r.marked,
            )
            for r in rows
        ]
