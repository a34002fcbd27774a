"""Which extractor reads a file: by name, then by declared type, then by the bytes themselves."""

from __future__ import annotations

import codecs
from pathlib import PurePath

MARKDOWN = {".md", ".markdown", ".mdown", ".mkd"}
RST = {".rst", ".rest"}
HTML = {".html", ".htm", ".xhtml"}
PLAIN = {".txt", ".text", ".log", ".cfg", ".conf", ".ini", ".env.example", ""}
CODE = {
    ".py", ".pyi", ".js", ".mjs", ".cjs", ".ts", ".tsx", ".jsx", ".java", ".kt", ".kts", ".go", ".rs", ".c",
    ".h", ".cc", ".cpp", ".cxx", ".hpp", ".cs", ".rb", ".php", ".swift", ".scala", ".sh", ".bash", ".zsh",
    ".ps1", ".sql", ".r", ".lua", ".pl", ".m", ".dart", ".ex", ".exs", ".erl", ".hs", ".clj", ".vue",
    ".svelte", ".css", ".scss", ".less", ".yaml", ".yml", ".toml", ".xml", ".proto", ".graphql", ".tf",
    ".dockerfile", ".makefile", ".gradle", ".diff", ".patch",
}  # fmt: skip
BY_SUFFIX = (
    {s: "markdown" for s in MARKDOWN}
    | {s: "rst" for s in RST}
    | {s: "html" for s in HTML}
    | {s: "text" for s in PLAIN}
    | {s: "code" for s in CODE}
    | {".pdf": "pdf", ".docx": "docx", ".csv": "csv", ".tsv": "csv", ".json": "json", ".jsonl": "code"}
)
BY_MIME = {
    "text/markdown": "markdown",
    "text/x-markdown": "markdown",
    "text/x-rst": "rst",
    "text/html": "html",
    "application/xhtml+xml": "html",
    "application/pdf": "pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "text/csv": "csv",
    "text/tab-separated-values": "csv",
    "application/json": "json",
}
# Recognised and refused with a reason, not guessed at as text.
REFUSED = {
    ".doc": "old Word .doc files can't be read; save it as .docx or PDF",
    ".xls": "spreadsheets can't be read; export the sheet as CSV",
    ".xlsx": "spreadsheets can't be read; export the sheet as CSV",
    ".ppt": "presentations can't be read; export it as PDF",
    ".pptx": "presentations can't be read; export it as PDF",
    ".odt": "OpenDocument text can't be read; save it as .docx or PDF",
    ".rtf": "RTF can't be read; save it as .docx, PDF or plain text",
    ".zip": "archives aren't opened; send the files inside",
}


def suffix_of(filename: str) -> str:
    return PurePath(filename.strip().lower()).suffix


def kind_of(data: bytes, filename: str, mime: str | None = None) -> str | None:
    """The extractor kind for a file, or None when it is not a readable document."""
    suffix = suffix_of(filename)
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"PK\x03\x04") and b"word/" in data[:4096]:
        return "docx"
    if suffix in BY_SUFFIX and suffix not in {".pdf", ".docx"}:
        return BY_SUFFIX[suffix] if looks_textual(data) else None
    mime_type = (mime or "").split(";")[0].strip().lower()
    if mime_type in BY_MIME and BY_MIME[mime_type] not in {"pdf", "docx"}:
        return BY_MIME[mime_type] if looks_textual(data) else None
    if (mime_type.startswith("text/") or not mime_type or mime_type == "application/octet-stream") and looks_textual(
        data
    ):
        return "text"
    return None


def refusal_for(filename: str, mime: str | None) -> str | None:
    """A specific reason for a format we know and don't read."""
    reason = REFUSED.get(suffix_of(filename))
    if reason:
        return reason
    mime_type = (mime or "").lower()
    if mime_type.startswith(("image/", "audio/", "video/")):
        return f"{mime_type.split('/')[0]} files have no text to read"
    return None


def looks_textual(data: bytes) -> bool:
    """Text, in any encoding `decode_text` reads: no NUL bytes (unless UTF-16 with a BOM) in the first 8 KB."""
    head = data[:8192]
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return True
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        # a multi-byte character cut at the 8 KB edge is still UTF-8
        if error.start < len(head) - 4:
            control = sum(1 for b in head if b < 9 or 13 < b < 32)
            return control <= len(head) // 100
    return True


def decode_text(data: bytes) -> str:
    """UTF-8 (BOM or not), UTF-16 with a BOM, else Windows-1252 with latin-1 as the last resort."""
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")
