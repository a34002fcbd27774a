"""The engine's admission step: what is refused before anything is stored."""

from __future__ import annotations

from bot.messages import EMPTY_MESSAGE
from bot.turn_admit import refuse_text


def test_admission_refuses_empty_and_oversized_messages_in_words() -> None:
    assert refuse_text("", 10) == EMPTY_MESSAGE
    assert "limit is 10" in (refuse_text("x" * 11, 10) or "")
    assert refuse_text("x" * 10, 10) is None
