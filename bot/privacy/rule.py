"""A detection rule (kind, regex, validator) and the helpers that keep its regex fast."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from bot.privacy.common import PERSONAL_KINDS, Validator


@dataclass(frozen=True)
class Rule:
    kind: str
    pattern: re.Pattern[str]
    validate: Validator
    # The part of the match that is reported and redacted: the first of these groups that matched.
    groups: tuple[int | str, ...] = (0,)
    hints: tuple[str, ...] = ()  # lowercase substrings; if none occurs, the rule is skipped
    digit: bool = False  # every match holds a digit: skipped on text without one
    # Speed for patterns that re cannot skip ahead on: a literal every match contains, and where it
    # lies after the match start: between ``offset[0]`` and ``offset[1]`` characters, or at most
    # ``reach`` characters when no match holds the anchor twice. The scanner then tries only those
    # places (``scanner._anchored``).
    anchor: str = ""
    offset: tuple[int, int] | None = None
    reach: int = 0
    # Context words (lowercase literals). The scanner finds every rule's words in one pass over the
    # lowercased text (case-insensitive word lists are slow in re) and tries ``pattern`` only there.
    words: tuple[str, ...] = ()
    # A rule group: ``pattern`` is a gate that finds every place a member can start; the scanner
    # runs each member there (``scanner._member_matches``) and validates with the member.
    members: tuple[Rule, ...] = ()

    @property
    def category(self) -> str:
        return "personal" if self.kind in PERSONAL_KINDS else "secret"


def _rx(pattern: str, flags: int = 0) -> re.Pattern[str]:
    return re.compile(pattern, flags | re.VERBOSE)


# Characters other than the ASCII pair that ``(?i)`` matches to an ASCII letter.
_CASE_VARIANTS = {"i": "\u0130\u0131", "k": "\u212a", "s": "\u017f"}


def _split_alternatives(words: str) -> list[str]:
    """Top-level alternatives of a regex fragment: ``a|b(?:c|d)`` -> ``["a", "b(?:c|d)"]``."""
    parts, depth, start, i, in_class = [], 0, 0, 0, False
    while i < len(words):
        c = words[i]
        if c == "\\":
            i += 1
        elif in_class or c in "[]":
            in_class = c != "]" if in_class else c == "["
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "|" and depth == 0:
            parts.append(words[start:i])
            start = i + 1
        i += 1
    return [*parts, words[start:]]


_NEWLINE_INDENT = re.compile(r"\n[ \t]*")  # word lists may be wrapped over lines


def _ci(words: str) -> str:
    """Case-insensitive ``(?:words)`` written so that re can still skip ahead to the first letter.

    ``re`` has no first-character search for a pattern that starts case-insensitively, so
    ``(?i)(?:key|token)…`` is tried at every position of the text. This starts with a plain
    class of the words' first letters (both cases) and checks which word it is with a
    lookbehind: ``[KkTt](?i:(?<=k)ey|(?<=t)oken)``. Every alternative must start with a letter."""
    alternatives = _split_alternatives(_NEWLINE_INDENT.sub("", words))
    firsts = dict.fromkeys(a[0].lower() for a in alternatives)
    assert all(f.isalpha() and f.isascii() for f in firsts), words
    head = "".join(f + f.upper() + _CASE_VARIANTS.get(f, "") for f in firsts)
    return f"[{head}](?i:" + "|".join(f"(?<={a[0].lower()}){a[1:]}" for a in alternatives) + ")"


def _rx_ci(words: str, rest: str) -> re.Pattern[str]:
    """``(?i)(?:words)rest``, with the fast start of ``_ci``."""
    return _rx(_ci(words) + "(?i:" + rest + "\n)")  # newline: ``rest`` may end in a comment


# Scripts written without spaces between words (Japanese, Chinese, Korean hangul is spaced but its
# particles attach): a word there starts wherever it is found, not only at a \b.
UNSPACED = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
WORD_START = rf"(?:\b|(?=[{UNSPACED}]))"
UNSPACED_CHAR = re.compile(f"[{UNSPACED}]")


def label_rule(kind: str, words: tuple[str, ...], validate: Validator, **options: object) -> Rule:
    """A rule that starts at one of ``words`` (any case); the validator finds the value after it."""
    pattern = re.compile(r"(?i:" + WORD_START + trie_pattern(words) + ")")
    return Rule(kind, pattern, validate, words=words, **options)  # type: ignore[arg-type]


def trie_pattern(words: Iterable[str]) -> str:
    """A regex matching any of ``words`` (literal), shaped as a trie: one branch per character, where
    an alternation of 200 words would be tried word by word at every position."""
    trie: dict = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}
    return _trie_regex(trie)


def first_char_trie(words: Iterable[str], before: str = "") -> str:
    """A regex whose group 1 is the longest of ``words`` starting at each place (matches overlap).

    It consumes only the first character, from a class, so re skips ahead to candidates: a
    pattern that starts with a lookahead or ``\\b`` is tried at every position. ``before`` is
    checked where the word starts (e.g. ``\\b``)."""
    words = list(words)
    firsts = "".join(re.escape(c) for c in sorted({w[0] for w in words}))
    return f"[{firsts}](?<=(?={before}(" + trie_pattern(words) + ")).)"


def _trie_regex(node: dict) -> str:
    branches = [re.escape(c) + _trie_regex(child) for c, child in sorted(node.items()) if c]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return f"(?:{body})?" if "" in node else body
