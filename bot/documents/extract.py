"""The one entry point: bytes and a file name in, an `Extracted` document (or a clear `DocumentError`) out."""

from __future__ import annotations

from pathlib import PurePath

from bot.documents import text_formats
from bot.documents.detect import decode_text, kind_of, refusal_for
from bot.documents.html import html
from bot.documents.model import DocumentTooLarge, Extracted, Limits, Section, UnsupportedDocument

DEFAULT_LIMITS = Limits()
TEXT_READERS = {
    "markdown": text_formats.markdown,
    "rst": text_formats.rst,
    "html": html,
    "json": text_formats.json_text,
    "text": text_formats.plain,
    "code": text_formats.plain,
    "csv": text_formats.plain,
}


def extract(data: bytes, filename: str, mime: str | None = None, limits: Limits = DEFAULT_LIMITS) -> Extracted:
    """Read a document. CPU-bound (PDF especially): call it through `asyncio.to_thread` from async code.

    Raises `UnsupportedDocument` (not a readable format), `BrokenDocument` (damaged, encrypted, no text) or
    `DocumentTooLarge`; each message is a sentence to show the user.
    """
    if len(data) > limits.max_bytes:
        raise DocumentTooLarge(
            f"{_name(filename)} is {_mb(len(data))}; documents up to {_mb(limits.max_bytes)} can be read"
        )
    kind = kind_of(data, filename, mime)
    if kind is None:
        reason = refusal_for(filename, mime) or "it isn't text, Markdown, reStructuredText, HTML, PDF or DOCX"
        raise UnsupportedDocument(f"{_name(filename)} can't be read: {reason}")
    notes: list[str] = []
    if kind == "pdf":
        from bot.documents.pdf import pdf

        title, sections, notes = pdf(data, limits)
    elif kind == "docx":
        from bot.documents.word import docx

        title, sections, notes = docx(data, limits)
    else:
        title, sections = TEXT_READERS[kind](decode_text(data))
    kept, truncated = _cut(sections, limits.max_chars)
    if truncated:
        notes.append(f"only the first {limits.max_chars:,} characters were read")
    return Extracted(
        kind=kind,
        title=title or PurePath(filename).name,
        sections=tuple(kept),
        truncated=truncated,
        notes=tuple(notes),
    )


def _cut(sections: list[Section], max_chars: int) -> tuple[list[Section], bool]:
    kept: list[Section] = []
    total = 0
    for section in sections:
        room = max_chars - total
        if room <= 0:
            return kept, True
        if len(section.text) > room:
            kept.append(Section(section.text[:room], section.heading, section.page, section.line))
            return kept, True
        kept.append(section)
        total += len(section.text)
    return kept, False


def _name(filename: str) -> str:
    return PurePath(filename).name or "this file"


def _mb(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB"
