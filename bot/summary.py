"""Rolling summaries: older messages folded into a short summary by a local model."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from bot.providers.base import ChatMessage, ModelInfo, Provider, ProviderError, TextDelta
from bot.session import SessionKey
from bot.store import StoredMessage

if TYPE_CHECKING:
    from bot.engine import Engine

log = logging.getLogger("hybridbot.summary")

SUMMARY_INSTRUCTIONS = (
    "Summarise the conversation below for your own later reference in at most 120 words. "
    "Keep names, decisions, open questions and facts the user gave. Write plain sentences."
)
MAX_SUMMARY_CHARS = 1200


class LocalOnlyError(Exception):
    """Work that reads a conversation's whole history was handed a model that is not local."""


def require_local(model: ModelInfo, what: str) -> None:
    """A real check (an `assert` disappears under `python -O`): summaries and judgements stay on local models."""
    if model.locality != "local":
        raise LocalOnlyError(f"{what} run on local models only, not on {model.ref} ({model.locality})")


def summary_prompt(previous: str, messages: list[StoredMessage]) -> list[ChatMessage]:
    lines = [f"Earlier summary: {previous}"] if previous else []
    for m in messages:
        speaker = m.author_name or ("assistant" if m.role == "assistant" else "user")
        lines.append(f"{speaker}: {m.content[:2000]}")
    return [ChatMessage("system", SUMMARY_INSTRUCTIONS), ChatMessage("user", "\n".join(lines))]


async def summarise(provider: Provider, model: ModelInfo, previous: str, messages: list[StoredMessage]) -> str:
    require_local(model, "summaries")
    parts: list[str] = []
    async for event in provider.stream_chat(
        model.name, summary_prompt(previous, messages), temperature=0.2, max_tokens=256
    ):
        if isinstance(event, TextDelta):
            parts.append(event.text)
    return "".join(parts).strip()[:MAX_SUMMARY_CHARS]


async def fold_old_messages(engine: Engine, key: SessionKey, *, trigger: int) -> None:
    """The engine's summary step, after an answer: when `2 × trigger` messages lie past the summary, the oldest
    `trigger` are folded into it by a local model (privacy and cost); no local model, no summary."""
    store, catalog = engine.store, engine.catalog
    conv = store.conversation(key)
    if store.count_messages(conv.id, after_id=conv.summary_upto, at_most=trigger * 2) < trigger * 2:
        return
    old = store.oldest_messages(conv.id, after_id=conv.summary_upto, limit=trigger)
    local = [m for m in await catalog.models() if m.locality == "local" and m.ref not in catalog.unhealthy()]
    if not local or not old:
        return
    try:
        async with engine.slots(local[0].provider).hold():  # summaries queue like turns for a local endpoint
            text = await summarise(catalog.provider(local[0].provider), local[0], conv.summary, old)
    except ProviderError as error:
        log.info("summary skipped for conversation %s: %s", conv.id, error.kind)
        return
    sensitive = conv.summary_sensitive or any(m.sensitive for m in old)
    store.set_summary(conv.id, text, old[-1].id, sensitive)
