"""The turn's prompt step: the window a model sees, and the last privacy check before a cloud call.

`build_prompt` raises `PrivacyGuardError` when a cloud-bound prompt still carries a secret; the
fallback loop (bot/turn_stream.py) then routes the turn locally.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections import OrderedDict
from typing import TYPE_CHECKING

from bot import privacy, store_placeholders
from bot.agents import Agent
from bot.context import build_context, history_budget
from bot.knowledge.grounding import Grounding, with_passages
from bot.marks import Place, PrivateSeen
from bot.providers.base import ChatMessage, ModelInfo
from bot.redact import Placeholders, redacted_history
from bot.store import Conversation

if TYPE_CHECKING:
    from bot.engine import Engine


class PrivacyGuardError(Exception):
    """A cloud-bound prompt still carried a secret; the turn is re-routed locally."""


def build_prompt(
    engine: Engine,
    conv: Conversation,
    model: ModelInfo,
    agent: Agent,
    place: Place,
    grounding: Grounding | None = None,
) -> tuple[list[ChatMessage], bool]:
    """The prompt, and whether it carries anything private (a sensitive message or summary, a passage that
    keeps the turn local). `grounding`: passages retrieved before the call (bot/knowledge).

    At the redact level the conversation's placeholder table is stored before this returns (the
    answer is restored from it: `placeholders_for`)."""
    cloud = model.locality == "cloud"
    if cloud and grounding is not None and grounding.keep_local:
        raise PrivacyGuardError  # routing keeps such turns local; this is the last line
    table = placeholders_for(engine, conv, model)
    bot = engine.settings.bot
    budget = history_budget(min(model.context_length, bot.max_context_tokens), bot.max_answer_tokens)
    summary = "" if cloud and conv.summary_sensitive else conv.summary
    if table is not None:
        summary = table.swap_known(summary)[0]  # a local summary may repeat a value found by context only
    anchor_key = (conv.id, model.ref)  # the window moves in blocks: a local model's KV cache stays valid
    anchors = engine.window_anchors
    private = PrivateSeen()
    cut = place.message_id + 1 if place.again else None  # 🔁: the conversation as it was at the question
    newest = engine.store.newest_messages(conv.id, after_id=conv.summary_upto, before_id=cut)
    with contextlib.closing(newest) as stored:
        history = place.in_order(stored)
        window = build_context(
            instructions=agent.instructions,
            summary=summary,
            history=private.watch(redacted_history(history, table) if table is not None else history),
            budget_tokens=budget,
            exclude_sensitive=cloud,
            neutral_names=cloud,
            anchor_id=anchors.get(anchor_key),
            refill=anchors.refill,
        )
    anchors.remember(anchor_key, window.oldest_included_id)
    messages = with_passages(window.messages, grounding)
    if cloud and carries_secret(messages):
        raise PrivacyGuardError
    if table is not None:
        store_placeholders.save(engine.store, conv.id, table)  # before the call: the answer is restored from it
    grounded_private = grounding is not None and grounding.keep_local
    return messages, private.seen or (bool(summary) and conv.summary_sensitive) or grounded_private


def placeholders_for(engine: Engine, conv: Conversation, model: ModelInfo) -> Placeholders | None:
    """The conversation's placeholder table when a prompt for ``model`` is redacted, else None."""
    if model.locality != "cloud" or engine.privacy_level(conv) != "redact":
        return None
    return store_placeholders.load(engine.store, conv.id)


def carries_secret(messages: list[ChatMessage]) -> bool:
    """Last line of defence: a cloud prompt is rescanned whole, speaker names too, before it leaves.

    Each text's verdict is remembered by its exact text (`SecretMemo`): the system prompt and the older
    history are the same turn after turn, and a changed text is a new key, so it is scanned again."""
    return any(_SCANNED.has_secret(text) for message in messages for text in (message.content, message.name or ""))


class SecretMemo:
    """Whether a text carries a secret, memoised by a digest of the exact text (a pure function of it; the memo
    holds no message text, so nothing outlives /forget me here), least recently used out first, within a budget
    of the characters the remembered texts had."""

    def __init__(self, max_chars: int = 4_000_000) -> None:
        self.max_chars, self.chars = max_chars, 0
        self._verdicts: OrderedDict[bytes, tuple[bool, int]] = OrderedDict()  # digest → (verdict, text length)

    def __contains__(self, text: str) -> bool:
        return _digest(text) in self._verdicts

    def has_secret(self, text: str) -> bool:
        if not text:
            return False
        key = _digest(text)
        known = self._verdicts.get(key)
        if known is not None:
            self._verdicts.move_to_end(key)
            return known[0]
        verdict = any(f.category == "secret" and f.confidence >= 0.5 for f in privacy.scan(text))
        if len(text) <= self.max_chars // 8:  # a huge paste is not worth keeping
            self._verdicts[key] = (verdict, len(text))
            self.chars += len(text)
            while self.chars > self.max_chars:
                self.chars -= self._verdicts.popitem(last=False)[1][1]
        return verdict

    def clear(self) -> None:
        self._verdicts.clear()
        self.chars = 0


def _digest(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


_SCANNED = SecretMemo()
