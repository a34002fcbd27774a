"""Admitting a message: what is refused before anything is stored or any limit is counted. Pure."""

from __future__ import annotations

from bot.messages import EMPTY_MESSAGE, too_long


def refuse_text(text: str, limit: int) -> str | None:
    """Why a (stripped) message can't be a turn, in words for its author; None when it can."""
    if not text:
        return EMPTY_MESSAGE
    if len(text) > limit:
        return too_long(len(text), limit)
    return None
