"""Cheap necessary tests for the rules without a context word (cards, IBANs, SSNs, NINOs, phones,
Telegram tokens), so ordinary chat does not pay for their regexes.

The text is mapped once to its shape (ASCII digits -> "0", A-Z -> "A", a-z -> "a"); each gate is a
few substring tests on the shape that every match of its rule passes, e.g. a phone match holds "+"
or "(" before a digit, seven digits in a row, or two digits around one of " .-". A rule whose gate
fails cannot match and is not run. The rules' ``\\d`` also matches non-ASCII digits, which the shape
does not map: a text holding one opens every gate. Tested in tests/unit/test_privacy_speed.py (every
match of a gated rule on the corpora passes its gate) and benchmarks/privacy_equivalence.py.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable

_SHAPES = str.maketrans(
    {**dict.fromkeys(string.digits, "0"), **dict.fromkeys(string.ascii_uppercase, "A")}
    | dict.fromkeys(string.ascii_lowercase, "a")
)
_OTHER_DIGIT = re.compile(r"[^\D0-9]")  # a decimal digit that is not ASCII


def _phone(s: str) -> bool:
    # "+" or "(" then a digit; 7 digits; or a digit, one of " .-", a digit (see the phone rule's branches)
    return "+0" in s or "(0" in s or "0000000" in s or "0 0" in s or "0.0" in s or "0-0" in s


GATES: dict[str, Callable[[str], bool]] = {
    "card": lambda s: s.count("0") >= 13,  # 13 digits at least
    "iban": lambda s: "AA00" in s,  # two capitals, two digits
    "ssn": lambda s: "000-00-0000" in s,
    "nino": lambda s: "A00" in s or "A 00" in s,  # two capitals, an optional space, two digits
    "phone": _phone,
    "telegram": lambda s: "00000000:" in s,  # the bot id (8+ digits), then ":"
}
ALL = frozenset(GATES)


def open_gates(text: str) -> frozenset[str]:
    """The gates ``text`` passes (all of them when it holds a non-ASCII digit)."""
    if not text.isascii() and _OTHER_DIGIT.search(text):
        return ALL
    shape = text.translate(_SHAPES)
    return frozenset(name for name, test in GATES.items() if test(shape))
