"""Detects an answer that has started looping: the same run of words over and over.

Pure and incremental: feed it text as it streams; it returns the text that is safe to show now. Words that
repeat what came just before are held back until the repetition breaks (then released) or grows into a loop
(then dropped): so a loop is cut after its first copy and the reader never sees the repeats. A word still
being streamed is shown once it is complete (a one-token lag).

A loop is a run of 1..``max_unit_words`` words repeated back to back, at least ``min_repeats`` copies and
``min_loop_words`` words in all (inside a fenced code block, four times that many words: code repeats lines
legitimately). Words compare case-insensitively, without surrounding punctuation.
"""

from __future__ import annotations

import re
from collections import defaultdict, deque

_WORD = re.compile(r"\S+")
_PUNCTUATION = ".,;:!?\"'()[]{}*_`«»“”‘’"
CODE_FACTOR = 4
FORGET_BLOCK = 4096  # characters of shown, scanned text dropped at once


class LoopDetector:
    def __init__(self, *, max_unit_words: int = 100, min_repeats: int = 3, min_loop_words: int = 24) -> None:
        self.max_unit_words = max_unit_words
        self.min_repeats = min_repeats
        self.min_loop_words = min_loop_words
        self.looped = False
        self._text = ""  # the answer from offset `_base` on: what was shown and scanned before it is dropped
        self._base = 0
        self._end = 0  # the answer's length so far
        self._scanned = 0  # text up to here is cut into complete words
        self._released = 0  # text up to here has been handed out
        self._pending = 0  # where a word still being streamed starts (the text's end if none)
        self._cut: int | None = None  # where the loop starts (its second copy), once found
        self._starts: list[int] = []  # offset of each complete word in the text
        self._sentence_ends: list[bool] = []  # does each word end a sentence or a line
        self._seen: defaultdict[str, deque[int]] = defaultdict(deque)  # word -> its recent indices
        self._runs: dict[int, int] = {}  # period n -> how many trailing words equal the word n before them
        self._in_code = False

    def feed(self, text: str) -> str:
        """Add streamed text; return the part that can be shown now ("" while held back or once looped)."""
        if self.looped:
            return ""
        self._forget_shown()
        self._text += text
        self._end = self._pending = self._base + len(self._text)
        base = self._base
        for match in _WORD.finditer(self._text, self._scanned - base):
            if match.end() + base == self._end:
                self._pending = match.start() + base  # the word may go on in the next piece: not shown yet
                break
            self._scanned = match.end() + base
            if self._add_word(match.group(), match.start() + base):
                return self._release(self._cut)  # type: ignore[arg-type]
        return self._release(self._safe_point())

    def flush(self) -> str:
        """Release whatever is held back: the stream ended (so it was no loop) or something other than text
        comes next. Feeding may go on afterwards."""
        return "" if self.looped else self._release(self._end)

    # --- internals ---------------------------------------------------------------------------------------

    def _add_word(self, raw: str, start: int) -> bool:
        """Record one complete word; True when it completes a loop."""
        if "```" in raw:
            self._in_code = not self._in_code
        word = raw.strip(_PUNCTUATION).lower() or raw
        index = len(self._starts)
        self._starts.append(start)
        self._sentence_ends.append(
            raw.endswith((".", "!", "?", ":")) or self._text.startswith("\n", start + len(raw) - self._base)
        )
        seen = self._seen[word]
        while seen and index - seen[0] > self.max_unit_words:
            seen.popleft()
        self._runs = {index - i: self._runs.get(index - i, 0) + 1 for i in seen}
        seen.append(index)
        least_words = self.min_loop_words * (CODE_FACTOR if self._in_code else 1)
        longest, unit = 0, 0
        for period, run in self._runs.items():
            if run >= (self.min_repeats - 1) * period and run + period >= least_words and run > longest:
                longest, unit = run, period  # the shortest repeating unit has the longest run
        if not longest:
            return False
        self.looped = True
        self._cut = self._starts[self._cut_word(index - longest + 1, unit)]
        return True

    def _cut_word(self, second_copy: int, unit: int) -> int:
        """The word to cut before: where the second copy starts, moved on to the first sentence end if any
        (every start within one unit keeps exactly one copy: "Paris. La capitale … est" becomes "… est Paris.")."""
        for last_kept in range(second_copy - 1, second_copy + unit - 1):
            if self._sentence_ends[last_kept]:
                return last_kept + 1
        return second_copy

    def _safe_point(self) -> int:
        """Text before the words that currently repeat earlier ones can be shown."""
        held = max(self._runs.values(), default=0)
        if held == 0:
            return self._pending
        return self._starts[len(self._starts) - held]

    def _release(self, upto: int) -> str:
        if upto <= self._released:
            return ""
        piece, self._released = self._text[self._released - self._base : upto - self._base], upto
        return piece

    def _forget_shown(self) -> None:
        """Drop text both shown and cut into words: only offsets past both are read again. Done in blocks, so
        feeding costs O(new text), not a copy of the whole answer each time."""
        keep = min(self._released, self._scanned)
        if keep - self._base > FORGET_BLOCK:
            self._text = self._text[keep - self._base :]
            self._base = keep
