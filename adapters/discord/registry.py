"""Which bot message belongs to which conversation and turn, so reactions and replies find their answer.

Kept in memory (bounded); after a restart, reactions on older answers are ignored until the engine can
store platform message ids with turns.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field

from bot.session import SessionKey


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
