"""What to do with each attachment, and how its text joins the turn. Pure: no I/O.

- `kind_of` sorts a file by its type and name: text (plain, code, Markdown, CSV, JSON…), pdf, docx, image, or
  unsupported.
- `Budget` shares the characters a turn may add among its files, in order; a file that does not fit whole is
  cut, and both the prompt and the person are told.
- `Report` is what the person (and /why) hears about each file: its name, what happened, what was found
  (finding kinds only, never values).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import PurePosixPath

TEXT_EXTENSIONS = frozenset(
    [
        "txt",
        "text",
        "md",
        "markdown",
        "rst",
        "csv",
        "tsv",
        "json",
        "jsonl",
        "ndjson",
        "yaml",
        "yml",
        "toml",
        "ini",
        "cfg",
        "conf",
        "log",
        "xml",
        "html",
        "htm",
        "css",
        "scss",
        "py",
        "pyi",
        "js",
        "mjs",
        "cjs",
        "ts",
        "tsx",
        "jsx",
        "java",
        "kt",
        "kts",
        "scala",
        "go",
        "rs",
        "c",
        "h",
        "cc",
        "cpp",
        "hpp",
        "cs",
        "rb",
        "php",
        "pl",
        "swift",
        "m",
        "sh",
        "bash",
        "zsh",
        "fish",
        "ps1",
        "bat",
        "sql",
        "r",
        "jl",
        "lua",
        "dart",
        "ex",
        "exs",
        "erl",
        "hs",
        "ml",
        "clj",
        "vue",
        "svelte",
        "tf",
        "gradle",
        "properties",
        "env",
        "dockerfile",
        "makefile",
        "diff",
        "patch",
        "tex",
        "srt",
        "vtt",
    ]
)
TEXT_MIMES = frozenset(
    [
        "application/json",
        "application/x-ndjson",
        "application/xml",
        "application/yaml",
        "application/x-yaml",
        "application/toml",
        "application/javascript",
        "application/x-sh",
        "application/sql",
        "application/x-python",
        "application/csv",
    ]
)
IMAGE_MIMES = {"png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "gif": "image/gif", "webp": "image/webp"}
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
GENERIC_MIMES = ("", "application/octet-stream", "binary/octet-stream")

KIND_WORDS = {"text": "text", "pdf": "PDF", "docx": "Word document", "image": "image", "unsupported": "file"}
FETCH_WORDS = {
    "not_found": "it could not be downloaded (the platform said it no longer exists)",
    "forbidden": "I'm not allowed to download it (the app may lack the files:read permission — ask an admin)",
    "timeout": "downloading it took too long",
    "too_large": "it is larger than I read",
    "failed": "downloading it failed",
}


def extension(name: str) -> str:
    path = PurePosixPath(name.lower())
    if path.suffix:
        return path.suffix.lstrip(".")
    return path.name  # Dockerfile, Makefile


def kind_of(name: str, mime: str) -> str:
    """text | pdf | docx | image | unsupported, from the type (when specific) and the file name."""
    mime = (mime or "").split(";")[0].strip().lower()
    ext = extension(name)
    if mime == "application/pdf" or ext == "pdf":
        return "pdf"
    if mime == DOCX_MIME or ext == "docx":
        return "docx"
    if ext in IMAGE_MIMES or mime in IMAGE_MIMES.values():
        return "image"
    if mime.startswith("text/") or mime in TEXT_MIMES or ext in TEXT_EXTENSIONS:
        return "text"
    return "unsupported"


def image_mime(data: bytes) -> str | None:
    """The image's real type from its first bytes (None: not an image a model can read, or broken)."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def decode_text(data: bytes) -> str | None:
    """A text file's content (UTF-8, UTF-16 with a BOM, else Latin-1); None when it looks binary."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            return None
    if b"\x00" in data[:8192]:
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def tidy_json(text: str) -> str:
    """Compact JSON (indentation costs tokens and says nothing); left as it is when it does not parse."""
    try:
        return json.dumps(json.loads(text), ensure_ascii=False, separators=(",", ":"))
    except ValueError:
        return text


@dataclass
class Report:
    """One attachment's outcome, for the person, the turn record and /why."""

    name: str
    kind: str  # text | pdf | docx | image | unsupported
    status: str  # read | cut | image | skipped | too_large | unsupported | broken | unavailable
    size: int = 0
    chars: int = 0  # characters added to the turn
    total_chars: int = 0  # characters extracted
    finding_kinds: list[str] = field(default_factory=list)
    note: str = ""  # what the person is told ('' when the file was read whole)

    @property
    def used(self) -> bool:
        return self.status in ("read", "cut", "image")


@dataclass
class Budget:
    """Characters a turn may still add from its files."""

    left: int

    def take(self, text: str) -> tuple[str, bool]:
        """The part of `text` that fits (cut at a line end when one is near), and whether it was cut."""
        if len(text) <= self.left:
            self.left -= len(text)
            return text, False
        cut = text[: self.left]
        newline = cut.rfind("\n")
        if newline > self.left * 0.8:
            cut = cut[:newline]
        self.left = 0
        return cut, True


def cut_note(name: str, chars: int, total: int) -> str:
    if chars == 0:
        return f"📎 {name}: not read — the turn's size budget was already used by the files before it."
    return (
        f"📎 {name}: only the first {chars:,} of {total:,} characters were read (the size budget for files); "
        "ask about a part, or send a shorter file, for the rest."
    )


def prompt_block(name: str, kind: str, text: str, *, cut_at: int | None = None, total: int = 0) -> str:
    """How a file's text enters the turn: delimited, named, and saying when it was cut."""
    head = f"[Attached {KIND_WORDS.get(kind, 'file')}: {name}]"
    tail = f"[End of {name}]"
    if cut_at is not None:
        tail = f"[{name} was cut here: {cut_at:,} of {total:,} characters are included]"
    return f"{head}\n{text}\n{tail}"


def image_block(name: str) -> str:
    return f"[Attached image: {name} — sent with this message to a model that reads images]"


def joined(question: str, blocks: list[str]) -> str:
    """The question followed by the files' blocks (a file sent without words is the question)."""
    question = question.strip() or "(No words came with the attached file(s); answer about them.)"
    return "\n\n".join([question, *blocks])


def size_words(size: int) -> str:
    if size >= 1_000_000:
        return f"{size / 1_000_000:.1f} MB"
    return f"{max(1, size // 1000)} KB"
