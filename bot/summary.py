"""Rolling summaries: older messages folded into a short summary by a local model."""

from __future__ import annotations

from bot.providers.base import ChatMessage, ModelInfo, Provider, TextDelta
from bot.store import StoredMessage

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
