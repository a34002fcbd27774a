"""Undo the tricks that hide a secret from a regex, and map positions back to the original.

Chat text can carry characters that make a token look different to a pattern while it still works
when copied: zero-width and bidi control characters pasted inside it, and look-alike letters
from other scripts (Cyrillic ``А`` for Latin ``A``, fullwidth ``ＡＫＩＡ``). ``normalise`` removes
the invisible ones and maps look-alikes one-to-one to ASCII (one character class finds them, so
only they cost a call), so the only change in length comes from deletions; ``Normalised.original_span`` maps a span found in
the normalised text back to the original text, which is what the caller stores and redacts.

Pure ASCII text (the common case), and text with nothing to change, is returned as it is.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

# Invisible characters: zero-width space/joiners, word joiner, BOM, soft hyphen, Mongolian vowel
# separator, invisible operators, and the bidi embedding/override/isolate controls.
_INVISIBLE = "\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff\u00ad\u180e" + "".join(
    map(chr, [*range(0x202A, 0x202F), *range(0x2066, 0x206A)])
)
_INVISIBLE_RE = re.compile("[" + re.escape(_INVISIBLE) + "]")

# Look-alikes that survive in a copied token: Cyrillic and Greek letters shaped like Latin ones.
_CONFUSABLES = {
    # Cyrillic
    "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P", "С": "C",
    "Т": "T", "Х": "X", "У": "Y", "І": "I", "Ј": "J", "Ѕ": "S", "Ԁ": "d",
    "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "х": "x", "у": "y", "і": "i", "ј": "j",
    "ѕ": "s", "ԁ": "d", "һ": "h", "ӏ": "l", "ԛ": "q", "ԝ": "w",
    # Greek
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N",
    "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X", "ο": "o", "ν": "v", "ι": "i", "κ": "k",
    "ρ": "p", "τ": "t", "υ": "u", "χ": "x",
    # dashes and quotes that replace ASCII ones when a token passes through a word processor
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2212": "-",
    "\u00a0": " ", "\u2007": " ", "\u202f": " ",
}  # fmt: skip
# Fullwidth ASCII (U+FF01..U+FF5E) → ASCII.
_CONFUSABLES.update({chr(0xFF01 + i): chr(0x21 + i) for i in range(0x5E)})
_REPLACEMENTS = {**_CONFUSABLES, **dict.fromkeys(_INVISIBLE, "")}
# Look-alike letters are a disguise only in a word that also holds ASCII letters or digits
# ("АКIА2…", "pаssword"); a word all in Cyrillic or Greek ("пароль", "κωδικός") is left as written.
_LETTERS = "".join(c for c in _CONFUSABLES if c.isalpha() and not c.isascii() and not 0xFF01 <= ord(c) <= 0xFF5E)
_LETTER_RE = re.compile("[" + _LETTERS + "]")
# The words (runs of non-space) that hold a look-alike letter: only they can change, so only they
# cost a Python call (a 4 KB paste with one Cyrillic word has ~700 words).
_WORD_RE = re.compile(r"(?<!\S)\S*?[" + _LETTERS + r"]\S*")
_ASCII_ALNUM = re.compile(r"[A-Za-z0-9]")
_OTHERS_RE = re.compile("[" + re.escape("".join(c for c in _REPLACEMENTS if c not in _LETTERS)) + "]")
# Not ``str.translate``: with a dict table it looks up every character (~0.04 ms per KB), while a
# character class finds the few that change at C speed.
_CHANGED_RE = re.compile("[" + re.escape("".join(_REPLACEMENTS)) + "]")


@dataclass(frozen=True)
class Normalised:
    text: str
    # Normalised position p maps to original p + bisect_right(_thresholds, p).
    _thresholds: tuple[int, ...] = ()

    @property
    def changed_length(self) -> bool:
        return bool(self._thresholds)

    def original_index(self, p: int) -> int:
        return p + bisect.bisect_right(self._thresholds, p)

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """The original span covering normalised ``[start, end)``, invisible characters inside included."""
        if not self._thresholds:
            return start, end
        if end <= start:
            o = self.original_index(start)
            return o, o
        return self.original_index(start), self.original_index(end - 1) + 1


def normalise(text: str) -> Normalised:
    if text.isascii() or not _CHANGED_RE.search(text):
        return Normalised(text)
    deleted = [m.start() for m in _INVISIBLE_RE.finditer(text)]
    # The j-th deleted character (original index d_j) shifts every later position by j + 1.
    thresholds = tuple(d - j for j, d in enumerate(deleted))
    if _LETTER_RE.search(text):
        text = _WORD_RE.sub(_mixed_word, text)
    return Normalised(_OTHERS_RE.sub(_replacement, text), thresholds)


def _mixed_word(m: re.Match[str]) -> str:
    word = m.group()
    if _ASCII_ALNUM.search(word) and _LETTER_RE.search(word):
        return _LETTER_RE.sub(_replacement, word)
    return word


def _replacement(m: re.Match[str]) -> str:
    return _REPLACEMENTS[m.group()]
