"""PDF text with pypdf (pure Python, maintained): one section per page, numbered from 1."""

from __future__ import annotations

import io
import logging

from bot.documents.model import BrokenDocument, DocumentTooLarge, Limits, Section

log = logging.getLogger(__name__)


def pdf(data: bytes, limits: Limits) -> tuple[str, list[Section], list[str]]:
    from pypdf import PdfReader
    from pypdf.errors import FileNotDecryptedError, PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise BrokenDocument("this PDF is password-protected; send a copy without a password")
        pages = reader.pages
        count = len(pages)
    except (FileNotDecryptedError, NotImplementedError) as error:
        raise BrokenDocument(
            "this PDF is encrypted in a way that can't be opened here; send an unlocked copy"
        ) from error
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as error:
        raise BrokenDocument("this PDF is damaged or not really a PDF; try exporting it again") from error
    if count > limits.max_pages:
        raise DocumentTooLarge(f"this PDF has {count} pages; the limit is {limits.max_pages}")
    sections: list[Section] = []
    empty: list[int] = []
    chars = 0
    for number, page in enumerate(pages, start=1):
        try:
            text = (page.extract_text() or "").strip()
        except Exception as error:  # pypdf raises many kinds on a damaged page; keep the others
            log.debug("pdf page %d unreadable: %s", number, type(error).__name__)
            text = ""
        if not text:
            empty.append(number)
            continue
        sections.append(Section(text=text, page=number))
        chars += len(text)
        if chars > limits.max_chars:
            break
    notes = []
    if empty and not sections:
        raise BrokenDocument("this PDF has no text layer (scanned pages?); send a text PDF or the text itself")
    if empty:
        notes.append(f"{len(empty)} of {count} pages have no text (images or scans): {_ranges(empty)}")
    return _title(reader), sections, notes


def _title(reader: object) -> str:
    try:
        metadata = reader.metadata  # type: ignore[attr-defined]
        return str(metadata.title or "").strip() if metadata else ""
    except Exception:  # metadata is optional and often malformed
        return ""


def _ranges(numbers: list[int]) -> str:
    spans: list[str] = []
    start = previous = numbers[0]
    for number in [*numbers[1:], None]:
        if number is not None and number == previous + 1:
            previous = number
            continue
        spans.append(str(start) if start == previous else f"{start}–{previous}")
        if number is not None:
            start = previous = number
    return "page " + ", ".join(spans) if len(numbers) == 1 else "pages " + ", ".join(spans)
