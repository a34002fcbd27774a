"""A file or image that came with a message: platform-neutral, read lazily.

Adapters build an `Attachment` per platform file (name, type, size and a fetcher that downloads it with the
platform's credentials); the engine reads it only after the turn is admitted (bot/attachment_ingest.py).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

# Why a file could not be read, as the ingest step tells the user (see attachment_logic.FETCH_WORDS).
FETCH_REASONS = ("not_found", "forbidden", "timeout", "too_large", "failed")

Fetcher = Callable[[int], Awaitable[bytes]]  # the most bytes wanted -> the file's bytes (raises FetchError)


class FetchError(Exception):
    """A download failed; `reason` is one of FETCH_REASONS (no file content or URL in the message)."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason if reason in FETCH_REASONS else "failed"


@dataclass(frozen=True)
class Attachment:
    name: str
    mime: str = ""  # as the platform says; the extension decides when this is empty or generic
    size: int = 0  # bytes as the platform reports them; 0 when unknown
    data: bytes | None = field(default=None, repr=False)  # already in memory (console, tests, images once read)
    fetch: Fetcher | None = field(default=None, repr=False, compare=False)

    async def read(self, max_bytes: int) -> bytes:
        """The file's bytes; FetchError("too_large") past `max_bytes`, whatever the platform claimed."""
        if self.data is not None:
            if len(self.data) > max_bytes:
                raise FetchError("too_large")
            return self.data
        if self.fetch is None:
            raise FetchError("failed", "no way to download it")
        data = await self.fetch(max_bytes)
        if len(data) > max_bytes:
            raise FetchError("too_large")
        return data
