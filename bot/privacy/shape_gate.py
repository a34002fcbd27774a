"""Cheap necessary tests for the rules without a context word (cards, IBANs, SSNs, NINOs, phones,
Telegram tokens, prefixed token shapes), so ordinary chat does not pay for their regexes.

The text's UTF-8 bytes are mapped once to its shape (ASCII digits -> "0", A-Z -> "A", a-z -> "a");
each gate is a few substring tests on the shape that every match of its rule passes (for phones:
every match the rule reports, which has seven digits at least), e.g. a phone match holds "+" or "("
before a digit, seven digits in a row, or two digits around one of " .-".
A second mapping turns token characters (ASCII letters, digits, "+", "/") into "x" for the rule
that needs a run of 20 of them. A rule whose gate fails cannot match and is not run (bytes.translate
and ``in`` are C loops: the tests cost about a microsecond, the regexes they spare ten). The
rules' ``\\d`` also matches non-ASCII digits, which the shape does not map: a text holding one opens
every gate. Tested in tests/unit/test_privacy_speed.py (every match of a gated rule passes its gate)
and benchmarks/privacy_equivalence.py (same findings as without the gates).
"""

from __future__ import annotations

import itertools
import re
import string


def _table(groups: dict[str, str]) -> bytes:
    table = bytearray(range(256))
    for chars, to in groups.items():
        for c in chars:
            table[ord(c)] = ord(to)
    return bytes(table)


_SHAPES = _table({string.digits: "0", string.ascii_uppercase: "A", string.ascii_lowercase: "a"})
_RUNS = _table({string.ascii_letters + string.digits + "+/": "x"})
_OTHER_DIGIT = re.compile(r"[^\D0-9]")  # a decimal digit that is not ASCII

# The gate names, in the order ``open_gates`` tests them.
NAMES = ("card", "iban", "ssn", "nino", "phone", "telegram", "token_run")
ALL = frozenset(NAMES)
_OPEN = {
    flags: frozenset(name for name, on in zip(NAMES, flags, strict=True) if on)
    for flags in itertools.product((False, True), repeat=len(NAMES))
}


# A phone the phone rule reports has 7 to 15 digits (``_check_phone``) and, between two of them,
# at most two of " .-()+" ("+1 (415) 555-…"): seven digits so joined.
_SEVEN_PHONE_DIGITS = re.compile(r"0(?:[ .\-()+]{0,2}0){6}")


def _phone(s: str) -> bool:
    # every match holds "+" or "(" then a digit, 7 digits, or a digit, one of " .-", a digit
    if not ("+0" in s or "(0" in s or "0000000" in s or "0 0" in s or "0.0" in s or "0-0" in s):
        return False
    return _SEVEN_PHONE_DIGITS.search(s) is not None


def open_gates(text: str) -> frozenset[str]:
    """The gates ``text`` passes (all of them when it holds a non-ASCII digit)."""
    if not text.isascii() and _OTHER_DIGIT.search(text):
        return ALL
    raw = text.encode()
    # The tests run on str: ``in`` on bytes goes through the buffer protocol and costs several times more.
    s = raw.translate(_SHAPES).decode("latin-1")
    return _OPEN[
        (
            s.count("0") >= 13,  # card: 13 digits at least
            "AA00" in s,  # iban: two capitals, two digits
            "000-00-0000" in s,  # ssn
            "A00" in s or "A 00" in s,  # nino: two capitals, an optional space, two digits
            _phone(s),
            "00000000:" in s,  # telegram: the bot id (8+ digits), then ":"
            "xxxxxxxxxxxxxxxxxxxx"
            in raw.translate(_RUNS).decode("latin-1"),  # token_run: "[._-]", then 20 letters or digits
        )
    ]
