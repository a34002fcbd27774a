"""HTML to text with the standard library's parser: headings make sections; scripts and styles are dropped."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from bot.documents.model import Section

HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
SKIPPED = {"script", "style", "noscript", "template", "svg", "head"}
BLOCKS = {
    "p", "div", "section", "article", "header", "footer", "main", "aside", "nav", "ul", "ol", "li", "table",
    "tr", "blockquote", "pre", "dl", "dt", "dd", "figure", "figcaption", "form", "hr", "br", "tbody", "thead",
}  # fmt: skip
SPACES = re.compile(r"[ \t\r\f\v]+")


class _TextParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title = ""
        self.sections: list[Section] = []
        self.path: list[tuple[int, str]] = []
        self.parts: list[str] = []
        self.start_line = 1
        self.skip_depth = 0
        self.in_title = False
        self.in_pre = 0
        self.heading_level = 0
        self.heading_parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title":
            self.in_title = True
        elif tag in SKIPPED:
            self.skip_depth += 1
        elif tag in HEADINGS and not self.skip_depth:
            self._flush()
            self.heading_level, self.heading_parts = HEADINGS[tag], []
            self.start_line = self.getpos()[0]
        elif tag in BLOCKS:
            self.parts.append("\n")
            if tag == "li":
                self.parts.append("- ")
            elif tag == "pre":
                self.in_pre += 1
        elif tag in {"td", "th"}:
            self.parts.append(" | ")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self.in_title = False
        elif tag in SKIPPED:
            self.skip_depth = max(0, self.skip_depth - 1)
        elif tag in HEADINGS and self.heading_level:
            title = SPACES.sub(" ", "".join(self.heading_parts)).strip()
            while self.path and self.path[-1][0] >= self.heading_level:
                self.path.pop()
            if title:
                self.path.append((self.heading_level, title))
                self.parts = [title, "\n"]
            self.heading_level = 0
        elif tag in BLOCKS:
            self.parts.append("\n")
            if tag == "pre":
                self.in_pre = max(0, self.in_pre - 1)

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title += data
        elif self.skip_depth:
            return
        elif self.heading_level:
            self.heading_parts.append(data)
        else:
            if not "".join(self.parts).strip():
                self.start_line = self.getpos()[0]
            self.parts.append(data if self.in_pre else SPACES.sub(" ", data.replace("\n", " ")))

    def _flush(self) -> None:
        lines = [line.strip() for line in "".join(self.parts).split("\n")]
        text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
        if text:
            heading = tuple(h for _, h in self.path)
            self.sections.append(Section(text=text, heading=heading, line=self.start_line))
        self.parts = []

    def result(self) -> tuple[str, list[Section]]:
        self.close()
        self._flush()
        title = SPACES.sub(" ", self.title).strip()
        return title or next((s.heading[0] for s in self.sections if s.heading), ""), self.sections


def html(text: str) -> tuple[str, list[Section]]:
    parser = _TextParser()
    parser.feed(text)
    return parser.result()
