"""The core's Markdown as terminal text. Pure.

On a terminal, **bold** and headings are bold and *italic* is italic (ANSI); in a pipe the markers are simply
dropped. Lists get bullets, links show their address, code keeps its backticks (it is what you type) and a fenced
block keeps its lines as they are.
"""

from __future__ import annotations

import re

BOLD, ITALIC, RESET = "\033[1m", "\033[3m", "\033[0m"
_FENCE = re.compile(r"^\s*(```|~~~)")
_CODE = re.compile(r"(`+)(.+?)\1")
_LINK = re.compile(r"!?\[([^\]\n]*)\]\((\S+?)\)")
_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_EMPHASIS = re.compile(r"(?<![*\w])([*_])(?=[^\s*_])(.+?)(?<=[^\s*_])\1(?![*\w])")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$")
_BULLET = re.compile(r"^(\s*)[-*+]\s+(.*)$")


def to_console(markdown: str, *, ansi: bool) -> str:
    out: list[str] = []
    in_code = False
    for line in markdown.split("\n"):
        if _FENCE.match(line):
            in_code = not in_code
            continue
        out.append(line if in_code else _line(line, ansi))
    return "\n".join(out)


def _line(line: str, ansi: bool) -> str:
    heading = _HEADING.match(line)
    if heading:
        return _styled(_inline(heading.group(1), ansi), BOLD, ansi)
    bullet = _BULLET.match(line)
    if bullet:
        return f"{bullet.group(1)}• {_inline(bullet.group(2), ansi)}"
    return _inline(line, ansi)


def _inline(text: str, ansi: bool) -> str:
    """Inline code is kept as it is; the other rules apply around it."""
    parts = _CODE.split(text)
    # re.split with two groups: [text, ticks, code, text, ticks, code, …, text]
    out = []
    for index in range(0, len(parts), 3):
        out.append(_marks(parts[index], ansi))
        if index + 2 < len(parts):
            out.append(f"{parts[index + 1]}{parts[index + 2]}{parts[index + 1]}")
    return "".join(out)


def _marks(text: str, ansi: bool) -> str:
    text = _LINK.sub(lambda m: f"{m.group(1)} ({m.group(2)})" if m.group(1) != m.group(2) else m.group(2), text)
    text = _STRONG.sub(lambda m: _styled(m.group(2), BOLD, ansi), text)
    return _EMPHASIS.sub(lambda m: _styled(m.group(2), ITALIC, ansi), text)


def _styled(text: str, style: str, ansi: bool) -> str:
    return f"{style}{text}{RESET}" if ansi else text
