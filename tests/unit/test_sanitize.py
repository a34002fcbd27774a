"""Untrusted text made safe to store and send: control characters out, surrogates repaired."""

from __future__ import annotations

import pytest

from bot.engine import Turn
from bot.sanitize import clean_text, clean_turn
from bot.session import SessionKey


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("plain text", "plain text"),
        ("tab\tnew\nline\r\n", "tab\tnew\nline\r\n"),
        ("nul\x00byte", "nulbyte"),
        ("\x1b[31mred\x1b[0m", "[31mred[0m"),
        ("bell\x07 del\x7f c1\x85\x9b", "bell del c1"),
        ("invalid \udcff\udcfe utf-8", "invalid \ufffd\ufffd utf-8"),
        ("paired \ud83d\ude00 surrogates", "paired 😀 surrogates"),
        ("lone high \ud83d end", "lone high \ufffd end"),
        ("مرحبا \u202eRTL\u202c zero\u200bwidth \u200d", "مرحبا \u202eRTL\u202c zero\u200bwidth \u200d"),
    ],
)
def test_clean_text(raw: str, clean: str) -> None:
    assert clean_text(raw) == clean
    clean_text(raw).encode("utf-8")  # always encodable: SQLite and HTTP clients accept it


def test_clean_text_returns_clean_input_unchanged() -> None:
    text = "already fine ✓"
    assert clean_text(text) is text


def test_clean_turn_cleans_text_and_name_and_keeps_clean_turns() -> None:
    key = SessionKey("slack", "T", "C")
    turn = Turn(key, "U1", "ann", "hello")
    assert clean_turn(turn) is turn
    dirty = Turn(key, "U1", "a\x00nn\udcff", "hi\x00 there\udcff", private=True, event_id="E1")
    cleaned = clean_turn(dirty)
    assert (cleaned.text, cleaned.user_name) == ("hi there\ufffd", "ann\ufffd")
    assert (cleaned.key, cleaned.user_id, cleaned.private, cleaned.event_id) == (key, "U1", True, "E1")
