"""Passages from a document's sections: by structure (sections, then paragraphs, then lines, then words) to a
token budget, with overlap. Pure.

Each chunk keeps its heading path and the page or line where it starts, for citations.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from bot.documents import Section

CHARS_PER_TOKEN = 4  # as bot/context.py estimates
PARAGRAPH = re.compile(r"\n[ \t]*\n")


@dataclass(frozen=True)
class Chunk:
    text: str
    heading: tuple[str, ...]  # the heading path where it starts (cited)
    page: int | None
    line: int | None
    also: tuple[str, ...] = ()  # headings of the later sections merged into it (searched, not cited)

    @property
    def search_heading(self) -> str:
        return " ".join([*self.heading, *self.also])


def chunk_sections(sections: Iterable[Section], *, tokens: int = 300, overlap: int = 40) -> Iterator[Chunk]:
    """Small neighbouring sections are merged up to the budget (under the first one's heading); a long
    section is cut at paragraph, then line, then word boundaries, each piece opening with the previous
    piece's last `overlap` tokens."""
    budget, keep = tokens * CHARS_PER_TOKEN, overlap * CHARS_PER_TOKEN
    pending: list[Section] = []
    size = 0
    for section in sections:
        if pending and size + len(section.text) + 2 > budget or pending and section.page != pending[0].page:
            yield _merged(pending)
            pending, size = [], 0
        if len(section.text) <= budget:
            pending.append(section)
            size += len(section.text) + 2
            continue
        yield from _split(section, budget, keep)
    if pending:
        yield _merged(pending)


def _merged(sections: list[Section]) -> Chunk:
    first = sections[0]
    also = tuple(dict.fromkeys(s.heading[-1] for s in sections[1:] if s.heading and s.heading != first.heading))
    return Chunk("\n\n".join(s.text for s in sections), first.heading, first.page, first.line, also)


def _split(section: Section, budget: int, keep: int) -> Iterator[Chunk]:
    pieces = list(_pieces(section.text, budget))
    line = section.line
    previous_tail = ""
    for text, offset_lines in pieces:
        body = f"{previous_tail}{text}" if previous_tail else text
        start = None if line is None else line + offset_lines
        yield Chunk(body, section.heading, section.page, start)
        previous_tail = _tail(text, keep)


def _pieces(text: str, budget: int) -> Iterator[tuple[str, int]]:
    """(piece, lines before it in the section): whole paragraphs packed up to the budget; a paragraph
    longer than the budget is cut at lines, and a line longer than that at words."""
    units = _units(text, budget)
    current: list[str] = []
    size = 0
    start_line = 0
    line_no = 0
    for unit, newlines_after in units:
        if current and size + len(unit) > budget:
            yield "".join(current).rstrip(), start_line
            current, size, start_line = [], 0, line_no
        current.append(unit + "\n" * newlines_after)
        size += len(unit) + newlines_after
        line_no += newlines_after
    if current:
        yield "".join(current).rstrip(), start_line


def _units(text: str, budget: int) -> Iterator[tuple[str, int]]:
    """(text, newlines that followed it): paragraphs, or lines/words of paragraphs too long for a piece."""
    position = 0
    for match in [*PARAGRAPH.finditer(text), None]:
        end = match.start() if match else len(text)
        paragraph = text[position:end]
        gap = match.group().count("\n") if match else 0
        if len(paragraph) <= budget:
            yield paragraph, gap
        else:
            lines = paragraph.split("\n")
            for index, line in enumerate(lines):
                after = 1 if index < len(lines) - 1 else gap
                if len(line) <= budget:
                    yield line, after
                else:
                    yield from _words(line, budget, after)
        if match:
            position = match.end()


def _words(line: str, budget: int, after: int) -> Iterator[tuple[str, int]]:
    start = 0
    while start < len(line):
        end = min(len(line), start + budget)
        if end < len(line):
            space = line.rfind(" ", start + budget // 2, end)
            end = space if space > start else end
        yield line[start:end].strip(), after if end >= len(line) else 0
        start = end


def _tail(text: str, keep: int) -> str:
    """The last `keep` characters, starting at a word boundary; ends in a paragraph break."""
    if keep <= 0:
        return ""
    tail = text[-keep:]
    space = tail.find(" ")
    if len(text) > keep and 0 <= space < len(tail) - 1:
        tail = tail[space + 1 :]
    return f"…{tail.strip()}\n\n" if tail.strip() else ""
