"""`/attach PATH [PATH…]` on the console: files for the next message, read from disk when the turn is admitted."""

from __future__ import annotations

import asyncio
import mimetypes
import shlex
from pathlib import Path

from bot.attachments import Attachment, Fetcher, FetchError

USAGE = "Use /attach PATH [PATH…]: the files go with your next message (text, code, PDF, DOCX, images)."


def attachments_from(line: str) -> tuple[list[Attachment], list[str]]:
    """The files named on an /attach line, and a sentence for each that can't be attached."""
    try:
        paths = shlex.split(line)[1:]
    except ValueError:
        return [], [USAGE]
    if not paths:
        return [], [USAGE]
    found, problems = [], []
    for raw in paths:
        path = Path(raw).expanduser()
        if not path.is_file():
            problems.append(f"{raw}: no such file.")
            continue
        mime = mimetypes.guess_type(path.name)[0] or ""
        found.append(Attachment(path.name, mime, path.stat().st_size, fetch=_reader(path)))
    return found, problems


def _reader(path: Path) -> Fetcher:
    async def read(max_bytes: int) -> bytes:
        def load() -> bytes:
            with path.open("rb") as handle:
                data = handle.read(max_bytes + 1)
            if len(data) > max_bytes:
                raise FetchError("too_large")
            return data

        try:
            return await asyncio.to_thread(load)
        except OSError as error:
            raise FetchError("not_found" if isinstance(error, FileNotFoundError) else "failed") from None

    return read
