"""The keyword passes: one Aho-Corasick pass over the lowercased text finds which rules' hints occur,
another where each context-word rule can start (re has no multi-literal search: a trie pattern is
tried at each place its first-character class allows)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator

import ahocorasick

from bot.privacy.rule import UNSPACED_CHAR
from bot.privacy.rules import RULES, Rule

_HINTS = tuple(dict.fromkeys(h for rule in RULES for h in rule.hints))
_ONE_CHAR_HINTS = tuple(h for h in _HINTS if len(h) == 1)  # ".", "@", ",": a plain ``in`` is cheapest


def _automaton(words: Iterable[str], value: Callable[[str], object] = str) -> ahocorasick.Automaton:
    """Aho-Corasick over ``words``: one pass in C reports every occurrence of every word (re has no
    multi-literal search: a trie pattern is tried at each place its first-character class allows),
    with ``value(word)``."""
    automaton = ahocorasick.Automaton()
    for word in words:
        automaton.add_word(word, value(word))
    automaton.make_automaton()
    return automaton


_HINTS_AC = _automaton(h for h in _HINTS if len(h) > 1)


def _present_hints(lowered: str) -> frozenset[str]:
    """The hints that occur in ``lowered``: the same as testing each with ``in``."""
    found = {hint for _, hint in _HINTS_AC.iter(lowered)}
    for hint in _ONE_CHAR_HINTS:  # a plain loop: a generator costs more than these three tests
        if hint in lowered:
            found.add(hint)
    return frozenset(found)


# --- context words: where every word rule can start ---------------------------------------------

_WORD_RULES = tuple(rule for rule in RULES if rule.words)
_ALL_WORDS = sorted({w for rule in _WORD_RULES for w in rule.words})
# A rule whose word is a prefix of the longest word found at a place starts there too (by rule id).
_RULES_FOR = {w: tuple(id(r) for r in _WORD_RULES if any(w.startswith(x) for x in r.words)) for w in _ALL_WORDS}


def _is_word_char(c: str) -> bool:
    return c.isalnum() or c == "_"  # re's \w for str


def _word_facts(word: str) -> tuple[str, int, bool, bool]:
    """What ``_word_starts`` asks of a word, worked out once: the word, its length, whether it starts
    with a word character, whether it is in an unspaced script (then it starts anywhere)."""
    return word, len(word), _is_word_char(word[0]), UNSPACED_CHAR.match(word) is not None


_WORDS_AC = _automaton(_ALL_WORDS, _word_facts)


def _word_starts(text: str, lowered: str) -> dict[int, list[int]] | None:
    """Where each word rule (by id) can start; None when ``lowered`` is not position-aligned.

    A word counts where ``rule.WORD_START`` holds (a \b, or a character of an unspaced script), the
    longest word at each place, and not inside the previous word counted: what a left-to-right
    regex scan for the words finds (tested in test_privacy_speed.py)."""
    if len(lowered) != len(text):
        return None  # lower() moved positions (rare letters such as "İ"): rules search the text themselves
    longest: dict[int, tuple[str, int]] = {}
    for last, (word, length, word_first, unspaced) in _WORDS_AC.iter(lowered):
        start = last - length + 1
        if start and not unspaced:
            c = lowered[start - 1]
            if (c.isalnum() or c == "_") == word_first:
                continue  # not at a word start
        if start not in longest or length > longest[start][1]:
            longest[start] = word, length
    starts: dict[int, list[int]] = {}
    end = 0
    for start in sorted(longest):
        if start < end:
            continue  # inside the previous word: a scan for whole words would not see it
        word, length = longest[start]
        end = start + length
        for rule_id in _RULES_FOR[word]:
            starts.setdefault(rule_id, []).append(start)
    return starts


# Places one word rule is tried in one text: a validator reads up to a line after its word, so a
# text repeating the word thousands of times ("I live at 1 I live at 1 …") would cost that per place.
MAX_WORD_STARTS = 256


def _at_words(rule: Rule, text: str, starts: list[int]) -> Iterator[re.Match[str]]:
    pos = 0
    for start in starts[:MAX_WORD_STARTS]:
        if start >= pos and (m := rule.pattern.match(text, start)) is not None:
            yield m
            pos = m.end()
