"""Context-window building: instructions + rolling summary + the newest messages that fit.

Pure: it takes messages newest-first as an iterator and stops reading as soon as the budget is
spent, so the cost depends on the window size, not on how long the conversation is.

The window moves in blocks, so the prompt's prefix stays the same from turn to turn and a local model
reuses its KV cache (it then evaluates only the new messages): a window keeps its oldest message (its
anchor) while everything from there on fits; when it no longer fits, the window restarts filled to
three quarters, which leaves room for the next turns before it has to move again.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from typing import Literal

from bot import privacy
from bot.providers.base import ChatMessage
from bot.store import StoredMessage

CHARS_PER_TOKEN = 4  # a deliberate over-estimate for English; keeps us under real limits
MESSAGE_OVERHEAD_TOKENS = 4


def estimate_tokens(text: str) -> int:
    return len(text) // CHARS_PER_TOKEN + MESSAGE_OVERHEAD_TOKENS


@dataclass(frozen=True)
class ContextWindow:
    messages: list[ChatMessage]
    used_tokens: int
    included: int  # stored messages included
    oldest_included_id: int | None
    truncated_newest: bool
    dropped_private: int  # messages withheld because the target may not see them


class SpeakerLabels:
    """Speaker names as a prompt shows them: as written, or (neutral) "person N" for a flagged name."""

    def __init__(self, neutral: bool) -> None:
        self.neutral = neutral
        self._labels: dict[str, str] = {}

    def name(self, shown: str, author_id: str) -> str:
        if not self.neutral or not privacy.is_sensitive(privacy.scan(shown)):
            return shown
        return self._labels.setdefault(author_id, f"person {len(self._labels) + 1}")


def history_budget(context_length: int, answer_tokens: int) -> int:
    """Tokens available for instructions + summary + history once room for the answer is kept."""
    reserve = min(answer_tokens, context_length // 2)
    return max(256, context_length - reserve)


REFILL = 0.75  # a window that had to move restarts this full: a quarter is left for the turns to come


class WindowAnchors:
    """The oldest message of each conversation's last window (per model), so the next window keeps it.

    In memory and bounded: after a restart or eviction a window just starts afresh (one cache miss).
    ``blocks=False`` gives the old sliding window (anchors off, windows filled to the brim) for comparison.
    """

    def __init__(self, *, blocks: bool = True, capacity: int = 10_000) -> None:
        self.refill = REFILL if blocks else 1.0
        self._blocks = blocks
        self._capacity = capacity
        self._anchors: OrderedDict[Hashable, int] = OrderedDict()

    def get(self, key: Hashable) -> int | None:
        return self._anchors.get(key) if self._blocks else None

    def remember(self, key: Hashable, oldest_id: int | None) -> None:
        if not self._blocks or oldest_id is None:
            return
        self._anchors[key] = oldest_id
        self._anchors.move_to_end(key)
        while len(self._anchors) > self._capacity:
            self._anchors.popitem(last=False)


def build_context(
    *,
    instructions: str,
    summary: str,
    history: Iterable[StoredMessage],
    budget_tokens: int,
    exclude_sensitive: bool = False,
    neutral_names: bool = False,
    anchor_id: int | None = None,
    refill: float = 1.0,
) -> ContextWindow:
    """Assemble the prompt. `history` is newest first and includes the current user message.

    `exclude_sensitive` withholds messages marked sensitive (used for any cloud-bound prompt as a
    second line of defence behind the router). `neutral_names` replaces a speaker name that the privacy
    scanner flags (a display name that is an e-mail address, say) with "person N" (used for cloud prompts).
    `anchor_id` is the oldest message of the previous window: if everything from it on fits, the window
    keeps it; if not (or with no anchor), the window takes the newest messages that fill `refill` of the budget.
    """
    system = instructions.strip()
    if summary.strip():
        system += "\n\nSummary of the earlier conversation:\n" + summary.strip()
    pick = _pick(history, estimate_tokens(system), budget_tokens, exclude_sensitive, anchor_id, refill)
    return ContextWindow(
        messages=_chat_messages(system, pick.messages, neutral_names),
        used_tokens=pick.used,
        included=len(pick.messages),
        oldest_included_id=pick.messages[0].id if pick.messages else None,
        truncated_newest=pick.truncated,
        dropped_private=pick.dropped,
    )


@dataclass
class _Picked:
    messages: list[StoredMessage]  # oldest first
    used: int
    truncated: bool
    dropped: int


def _pick(
    history: Iterable[StoredMessage],
    used: int,
    budget_tokens: int,
    exclude_sensitive: bool,
    anchor_id: int | None,
    refill: float,
) -> _Picked:
    """The messages that fit (newest first in `history`), as `build_context` describes."""
    picked: list[StoredMessage] = []
    costs: list[int] = []
    truncated = overflow = False
    dropped = 0
    for message in history:
        if anchor_id is not None and message.id < anchor_id:
            break  # the previous window ends here, and everything since fits
        if exclude_sensitive and message.sensitive:
            dropped += 1
            continue
        cost = estimate_tokens(message.content)
        if used + cost > budget_tokens:
            if not picked:  # the newest message always goes in, cut to what fits
                room = max(0, (budget_tokens - used - MESSAGE_OVERHEAD_TOKENS) * CHARS_PER_TOKEN)
                message = StoredMessage(**{**message.__dict__, "content": message.content[-room:]})
                picked.append(message)
                used += estimate_tokens(message.content)
                truncated = True
            overflow = True
            break
        picked.append(message)
        costs.append(cost)
        used += cost
    if overflow and not truncated:
        used = _refill(picked, costs, used, budget_tokens * refill)
    picked.reverse()
    return _Picked(picked, used, truncated, dropped)


def _chat_messages(system: str, picked: list[StoredMessage], neutral_names: bool) -> list[ChatMessage]:
    """The prompt's messages; speakers are named only when more than one person speaks in the window."""
    speakers = {m.author_id for m in picked if m.role == "user"}
    attribute = len(speakers) > 1
    messages = [ChatMessage("system", system)] if system else []
    labels = SpeakerLabels(neutral_names)
    for m in picked:
        role: Literal["user", "assistant"] = "assistant" if m.role == "assistant" else "user"
        name = labels.name(m.author_name or m.author_id, m.author_id) if attribute and role == "user" else None
        messages.append(ChatMessage(role, m.content, name=name or None))
    return messages


def _refill(picked: list[StoredMessage], costs: list[int], used: int, target: float) -> int:
    """Drop the oldest of ``picked`` (newest first) until the window uses at most ``target`` tokens."""
    while len(picked) > 1 and used > target:
        picked.pop()
        used -= costs.pop()
    return used
