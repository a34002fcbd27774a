"""A Discord message's attachments → `Attachment`s the engine reads after admitting the turn.

Each is downloaded with discord.py's own `Attachment.read()` (the client's session, from the CDN URL in the
message); HTTP failures become `FetchError` reasons the person can act on.
"""

from __future__ import annotations

import discord

from bot.attachments import Attachment, Fetcher, FetchError


def attachments_of(message: discord.Message) -> tuple[Attachment, ...]:
    return tuple(
        Attachment(a.filename, a.content_type or "", a.size or 0, fetch=_fetcher(a)) for a in message.attachments
    )


def _fetcher(attachment: discord.Attachment) -> Fetcher:
    async def fetch(max_bytes: int) -> bytes:
        if attachment.size and attachment.size > max_bytes:
            raise FetchError("too_large")
        try:
            return await attachment.read()
        except discord.NotFound:
            raise FetchError("not_found") from None
        except discord.Forbidden:
            raise FetchError("forbidden") from None
        except discord.HTTPException as error:
            raise FetchError("failed", f"HTTP {error.status}") from None
        except (OSError, ValueError) as error:  # connection reset, a malformed URL
            raise FetchError("failed", type(error).__name__) from None

    return fetch
