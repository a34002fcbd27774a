"""Make untrusted text safe to store, scan and send: no lone surrogates, no control characters. Pure.

Platform JSON may carry lone surrogates (``"\\udcff"`` is valid JSON) and invalid UTF-8 decoded with
``surrogateescape``; SQLite and every HTTP client reject them. Control characters (NUL, ESC, DEL, C1)
have no meaning in a chat message and can drive a terminal; tab, newline and carriage return stay.
Zero-width, bidi and right-to-left characters are ordinary text here (the privacy scanner sees through
them on its own).
"""

from __future__ import annotations

import dataclasses
import re
from typing import TypeVar

_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SURROGATE = re.compile("[\ud800-\udfff]")

T = TypeVar("T")


def clean_text(text: str) -> str:
    """`text` without control characters, with surrogate pairs joined and lone surrogates as U+FFFD."""
    if not _BAD.search(text):
        return text  # the common case: nothing to do
    if _SURROGATE.search(text):
        text = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return _CONTROL.sub("", text)


def clean_turn(turn: T) -> T:
    """The turn with its text and author name cleaned (the same object when both are already clean)."""
    text, name = turn.text, turn.user_name  # type: ignore[attr-defined]
    clean, clean_name = clean_text(text), clean_text(name)
    if clean is text and clean_name is name:
        return turn
    return dataclasses.replace(turn, text=clean, user_name=clean_name)  # type: ignore[type-var]
