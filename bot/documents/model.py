"""What an extractor returns, the limits it works within, and the errors it raises."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Section:
    """One structural piece of a document, in reading order.

    `heading` is the path of headings above the text (outermost first); `page` is the 1-based PDF page;
    `line` is the 1-based line in the source text where the section starts (text-based formats only).
    """

    text: str
    heading: tuple[str, ...] = ()
    page: int | None = None
    line: int | None = None


@dataclass(frozen=True)
class Extracted:
    """A document's readable text: `text` is the sections joined by blank lines."""

    kind: str  # text · markdown · rst · html · pdf · docx · csv · json · code
    title: str
    sections: tuple[Section, ...]
    truncated: bool = False  # True when `Limits.max_chars` cut the text
    notes: tuple[str, ...] = field(default=())  # what a reader should know (pages without text, …)

    @property
    def text(self) -> str:
        return "\n\n".join(s.text for s in self.sections if s.text)

    @property
    def chars(self) -> int:
        return sum(len(s.text) for s in self.sections)


@dataclass(frozen=True)
class Limits:
    """Bounds on one extraction: bigger input is refused, longer text is cut (and says so)."""

    max_bytes: int = 25_000_000
    max_chars: int = 5_000_000
    max_pages: int = 2_000
    max_unpacked_bytes: int = 200_000_000  # DOCX: the XML inside the zip (a zip bomb stops here)


class DocumentError(Exception):
    """A document could not be read; `str(error)` is a sentence a user can act on."""


class UnsupportedDocument(DocumentError):
    pass


class BrokenDocument(DocumentError):
    pass


class DocumentTooLarge(DocumentError):
    pass
