"""Which bot message belongs to which conversation and turn, so reactions and replies find their answer.

Kept in memory (bounded) as the fast path; finished answers are also linked in the engine's store
(`StoredLinks`), so reactions on answers sent before a restart still find their turn.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field

from bot.session import SessionKey
from bot.store import Store

PLATFORM = "discord"


@dataclass
class Answer:
    key: SessionKey
    turn_id: int | None = None  # None while the answer is still streaming
    private: bool = False
    pending: dict[str, int] = field(default_factory=dict)  # 👍/👎 given while streaming, by user id


class AnswerRegistry:
    def __init__(self, capacity: int = 20_000) -> None:
        self.capacity = capacity
        self._by_message: OrderedDict[int, Answer] = OrderedDict()

    def add(self, message_id: int, key: SessionKey, *, private: bool = False) -> Answer:
        answer = self._by_message.get(message_id) or Answer(key, private=private)
        self._by_message[message_id] = answer
        self._by_message.move_to_end(message_id)
        while len(self._by_message) > self.capacity:
            self._by_message.popitem(last=False)
        return answer

    def finish(self, message_ids: list[int], turn_id: int | None) -> dict[str, int]:
        """Attach the turn to its messages; return (and forget) feedback given before it was known."""
        pending: dict[str, int] = {}
        for message_id in message_ids:
            answer = self._by_message.get(message_id)
            if answer is not None and turn_id is not None:
                answer.turn_id = turn_id
                pending.update(answer.pending)
                answer.pending = {}
        return pending

    def get(self, message_id: int | None) -> Answer | None:
        return self._by_message.get(message_id) if message_id is not None else None

    def __len__(self) -> int:
        return len(self._by_message)


class StoredLinks:
    """The adapter's one use of the engine's store: answer message → turn links that outlive the process."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def save(self, channel_id: int, message_ids: list[int], turn_id: int) -> None:
        for message_id in message_ids:
            self.store.link_message(PLATFORM, str(channel_id), str(message_id), turn_id)

    def load(self, channel_id: int, message_id: int) -> Answer | None:
        """The answer a message showed, as far as the store still knows (None if never linked or forgotten)."""
        turn_id = self.store.turn_for_message(PLATFORM, str(channel_id), str(message_id))
        conv = self.store.conversation_of_turn(turn_id) if turn_id is not None else None
        if conv is None:
            return None
        return Answer(conv.key, turn_id=turn_id, private=conv.private)
