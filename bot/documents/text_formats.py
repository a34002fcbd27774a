"""Plain text, Markdown, reStructuredText, CSV, JSON and code: sections by headings, with 1-based lines."""

from __future__ import annotations

import json
import re

from bot.documents.model import Section

ATX = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.+?)[ \t#]*$")
FENCE = re.compile(r"^ {0,3}(```|~~~)")
SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
RST_ADORNMENT = re.compile(r"^([=\-~^\"'`#*+<>:._!$%&,/;?@\\|])\1{2,}[ \t]*$")


class _Builder:
    """Collects lines into sections, closing one at each heading."""

    def __init__(self) -> None:
        self.sections: list[Section] = []
        self.path: list[tuple[int, str]] = []  # (level, heading)
        self.lines: list[str] = []
        self.start = 1

    def heading(self, level: int, title: str, line: int) -> None:
        self.flush()
        while self.path and self.path[-1][0] >= level:
            self.path.pop()
        self.path.append((level, title.strip()))
        self.lines = [title.strip()]  # the heading opens its own section's text
        self.start = line

    def add(self, line_text: str, line: int) -> None:
        if not self.lines:
            self.start = line
        self.lines.append(line_text)

    def flush(self) -> None:
        lines = self.lines
        skipped = next((i for i, line in enumerate(lines) if line.strip()), len(lines))
        text = "\n".join(lines[skipped:]).rstrip()
        if text:
            heading = tuple(h for _, h in self.path)
            self.sections.append(Section(text=text, heading=heading, line=self.start + skipped))
        self.lines = []

    def done(self) -> list[Section]:
        self.flush()
        return self.sections


def plain(text: str) -> tuple[str, list[Section]]:
    builder = _Builder()
    for number, line in enumerate(text.split("\n"), start=1):
        builder.add(line.rstrip("\r"), number)
    return "", builder.done()


def markdown(text: str) -> tuple[str, list[Section]]:
    """ATX and setext headings outside fenced code; YAML front matter gives the title and is dropped."""
    lines = text.split("\n")
    title, first = _front_matter(lines)
    builder = _Builder()
    fence: str | None = None
    index = first
    while index < len(lines):
        line = lines[index].rstrip("\r")
        opener = FENCE.match(line)
        if opener and (fence is None or opener.group(1) == fence):
            fence = None if fence else opener.group(1)
        elif fence is None and (match := ATX.match(line)):
            builder.heading(len(match.group(1)), match.group(2), index + 1)
            index += 1
            continue
        elif fence is None and _setext(lines, index):
            level = 1 if lines[index + 1].strip().startswith("=") else 2
            builder.heading(level, line, index + 1)
            index += 2
            continue
        builder.add(line, index + 1)
        index += 1
    sections = builder.done()
    return title or _first_heading(sections), sections


def _setext(lines: list[str], index: int) -> bool:
    if index + 1 >= len(lines) or lines[index + 1].lstrip(" ")[:1] not in ("=", "-"):
        return False  # the common case, decided without a regex
    line = lines[index].strip()
    if not line or not SETEXT.match(lines[index + 1]):
        return False
    # "text\n---" under a list item or a table row is not a heading
    return not line.startswith(("-", "*", "+", "|", ">")) and (index == 0 or not lines[index - 1].strip())


def _front_matter(lines: list[str]) -> tuple[str, int]:
    if not lines or lines[0].strip() != "---":
        return "", 0
    for index in range(1, min(len(lines), 200)):
        if lines[index].strip() in {"---", "..."}:
            title = next(
                (
                    line.split(":", 1)[1].strip().strip("\"'")
                    for line in lines[1:index]
                    if line.lower().startswith("title:")
                ),
                "",
            )
            return title, index + 1
    return "", 0


def rst(text: str) -> tuple[str, list[Section]]:
    """Section titles underlined (optionally overlined) with punctuation; levels in order of first use."""
    lines = [line.rstrip("\r") for line in text.split("\n")]
    builder = _Builder()
    styles: list[tuple[str, bool]] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        over = (
            RST_ADORNMENT.match(line)
            and index + 2 < len(lines)
            and lines[index + 1].strip()
            and RST_ADORNMENT.match(lines[index + 2])
            and lines[index + 2].strip()[0] == line.strip()[0]
        )
        if over:
            title, style, step = lines[index + 1].strip(), (line.strip()[0], True), 3
        elif (
            line.strip()
            and not RST_ADORNMENT.match(line)
            and index + 1 < len(lines)
            and RST_ADORNMENT.match(lines[index + 1])
            and len(lines[index + 1].strip()) >= len(line.strip())
        ):
            title, style, step = line.strip(), (lines[index + 1].strip()[0], False), 2
        else:
            builder.add(line, index + 1)
            index += 1
            continue
        if style not in styles:
            styles.append(style)
        builder.heading(styles.index(style) + 1, title, index + 1)
        index += step
    sections = builder.done()
    return _first_heading(sections), sections


def json_text(text: str) -> tuple[str, list[Section]]:
    """JSON as written; one long line is re-indented so it can be read (and chunked) in pieces."""
    stripped = text.strip()
    if "\n" not in stripped and len(stripped) > 200:
        try:
            text = json.dumps(json.loads(stripped), indent=1, ensure_ascii=False)
        except ValueError:
            pass  # not valid JSON: read it as it is
    return plain(text)


def _first_heading(sections: list[Section]) -> str:
    return next((s.heading[0] for s in sections if s.heading), "")
