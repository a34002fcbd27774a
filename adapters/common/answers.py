"""Which platform message shows which answer (and turn), so reactions and replies find it.

Memory (bounded, most recent kept) is the fast path; every message the bot posts for a turn is also linked
in the store (`message_links`), so after a restart a reaction on an older answer still finds its turn, and
crash recovery (bot/recovery.py) finds what an interrupted answer showed.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from dataclasses import dataclass, field

from bot.session import SessionKey
from bot.store import Store

log = logging.getLogger("hybridbot.answers")


@dataclass
class Answer:
    """What the adapter knows about one of its messages (or, with `question`, the user's message it answers)."""

    key: SessionKey
    channel: str
    thread: str | None = None  # where a new answer to it goes (Slack: the thread ts)
    turn_id: int | None = None
    streaming: bool = True
    private: bool = False
    question: bool = False  # the user's message (🛑 there stops its answer), not the bot's
    pending: dict[str, int] = field(default_factory=dict)  # 👍/👎 given while it streamed, by user id


class AnswerIndex:
    def __init__(self, store: Store | None, platform: str, capacity: int = 20_000) -> None:
        """`store` None: memory only (tests of a sink alone)."""
        self.store, self.platform, self.capacity = store, platform, capacity
        self._items: OrderedDict[tuple[str, str], Answer] = OrderedDict()

    def put(self, channel: str, message: str, answer: Answer) -> Answer:
        self._items[(channel, message)] = answer
        self._items.move_to_end((channel, message))
        while len(self._items) > self.capacity:
            self._items.popitem(last=False)
        return answer

    def get(self, channel: str, message: str) -> Answer | None:
        """From memory only (what this process posted or looked up)."""
        return self._items.get((channel, message))

    def find(self, channel: str, message: str) -> Answer | None:
        """Memory first, then the store's link (an answer posted before a restart); None if never linked."""
        known = self.get(channel, message)
        if known is not None or self.store is None:
            return known
        turn_id = self.store.turn_for_message(self.platform, channel, message)
        conv = self.store.conversation_of_turn(turn_id) if turn_id is not None else None
        if conv is None or turn_id is None:
            return None
        answer = Answer(conv.key, channel, conv.key.thread, turn_id, streaming=False, private=conv.private)
        return self.put(channel, message, answer)

    def link(self, channel: str, message: str, turn_id: int) -> None:
        """Store that the message shows the turn's answer; a failure costs only recovery after a crash."""
        if self.store is None:
            return
        try:
            self.store.link_message(self.platform, channel, message, turn_id)
        except Exception as error:  # the answer stands; only a restart would not find it
            log.warning("could not link message %s to turn %s: %s", message, turn_id, type(error).__name__)

    def finish(self, channel: str, messages: list[str], turn_id: int | None) -> dict[str, int]:
        """The answer is complete: its messages lead to the turn. Returns (and forgets) feedback given meanwhile."""
        pending: dict[str, int] = {}
        for message in messages:
            answer = self._items.get((channel, message))
            if answer is not None:
                answer.turn_id = turn_id if turn_id is not None else answer.turn_id
                answer.streaming = False
                pending.update(answer.pending)
                answer.pending = {}
        return pending

    def forget_memory(self) -> None:
        """Drop what is in memory (as after a restart); the store's links stay."""
        self._items.clear()

    def __len__(self) -> int:
        return len(self._items)
