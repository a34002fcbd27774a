"""Admitting a message: what is refused before anything is stored or any limit is counted. Pure."""

from __future__ import annotations

from bot.messages import EMPTY_MESSAGE, too_long


def refuse_text(text: str, limit: int, *, files: bool = False) -> str | None:
    """Why a (stripped) message can't be a turn, in words for its author; None when it can. `files`: it came
    with attachments, so empty text is fine (they are read next)."""
    if not text and not files:
        return EMPTY_MESSAGE
    if len(text) > limit:
        return too_long(len(text), limit)
    return None
