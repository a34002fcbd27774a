"""Splitting long text into pages a platform accepts, with code fences intact. Pure, no I/O.

A page break prefers line breaks and, in a line longer than a page, a space. A code block cut by a break is
closed at the end of one page and reopened (with its language) at the start of the next, so every page
renders on its own.
"""

from __future__ import annotations

import re

_FENCE = re.compile(r"^\s*(`{3,}|~{3,})(\S*)\s*$")
_CLOSE_RESERVE = 4  # "\n```"


def split_pages(text: str, limit: int) -> list[str]:
    """Pages of at most ``limit`` characters; [] for blank text."""
    if limit < 20:
        raise ValueError("limit too small")
    if len(text) <= limit:
        return [text] if text.strip() else []
    pages: list[str] = []
    fence: str | None = None  # the opening line of the code block we are in, e.g. "```python"
    current = ""
    lines = text.split("\n")
    for index, raw in enumerate(lines):
        newline = "\n" if index < len(lines) - 1 else ""
        width = max(10, limit - _CLOSE_RESERVE - (len(fence) + 1 if fence else 0))
        pieces = _hard_wrap(raw, width)
        for n, piece in enumerate(pieces):
            candidate = piece + (newline if n == len(pieces) - 1 else "")
            if current.strip() and len(current) + len(candidate) + _CLOSE_RESERVE > limit:
                pages.append(_close(current, fence))
                current = f"{fence}\n" if fence else ""
            current += candidate
        fence = _track(fence, raw)
    if current.strip() and not (fence and current.strip() == fence):
        pages.append(current.rstrip("\n"))
    return pages


def _hard_wrap(line: str, width: int) -> list[str]:
    """Cut a line longer than ``width``, preferring to break after whitespace."""
    pieces = []
    while len(line) > width:
        cut = line.rfind(" ", width // 2, width)
        cut = width if cut <= 0 else cut + 1
        pieces.append(line[:cut])
        line = line[cut:]
    pieces.append(line)
    return pieces


def _close(page: str, fence: str | None) -> str:
    page = page.rstrip("\n")
    if fence:
        page += "\n" + _marker(fence)
    return page


def _track(fence: str | None, line: str) -> str | None:
    """The code block we are in after ``line``: its opening line, or None outside code."""
    match = _FENCE.match(line)
    if not match:
        return fence
    if fence is None:
        return line.strip()
    closes = not match.group(2) and match.group(1)[0] == fence[0] and len(match.group(1)) >= len(_marker(fence))
    return None if closes else fence


def _marker(fence: str) -> str:
    found = re.match(r"[`~]+", fence)
    return found.group(0) if found else "```"


def open_fence(text: str) -> str | None:
    """The opening line of the code block the text ends inside, or None when every block is closed."""
    fence: str | None = None
    for line in text.split("\n"):
        fence = _track(fence, line)
    return fence


def close_open_fence(text: str) -> str:
    """The text with a code block it ends inside closed (mid-stream, or an answer cut short)."""
    fence = open_fence(text)
    return f"{text}\n{_marker(fence)}" if fence else text
