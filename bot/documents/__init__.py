"""Local text extraction from documents: text, Markdown, reStructuredText, HTML, PDF (pypdf), DOCX (python-docx),
CSV, JSON and code. Knowledge collections and message attachments both read files through `extract`.
"""

from bot.documents.detect import kind_of
from bot.documents.extract import DEFAULT_LIMITS, extract
from bot.documents.model import (
    BrokenDocument,
    DocumentError,
    DocumentTooLarge,
    Extracted,
    Limits,
    Section,
    UnsupportedDocument,
)

__all__ = [
    "DEFAULT_LIMITS",
    "BrokenDocument",
    "DocumentError",
    "DocumentTooLarge",
    "Extracted",
    "Limits",
    "Section",
    "UnsupportedDocument",
    "extract",
    "kind_of",
]
