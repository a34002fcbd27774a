"""Download one file over HTTP within a size limit and a deadline (platform attachments). I/O only.

Errors become `FetchError` reasons the person can act on; URLs and bodies are never logged above DEBUG.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

import aiohttp

from bot.attachments import FetchError

log = logging.getLogger("hybridbot.attachments")
CHUNK = 64 * 1024


async def download(
    session: aiohttp.ClientSession,
    url: str,
    *,
    max_bytes: int,
    headers: Mapping[str, str] | None = None,
    refuse_html: bool = False,
) -> bytes:
    """The body of a GET, read in chunks and stopped past `max_bytes`. `refuse_html`: a login page served
    instead of the file (Slack does that for a request without a valid token) counts as forbidden. The caller
    bounds the time (bot/attachment_ingest.py: `attachments.download_timeout`)."""
    try:
        async with session.get(url, headers=dict(headers or {}), allow_redirects=True) as response:
            if response.status == 404:
                raise FetchError("not_found")
            if response.status in (401, 403):
                raise FetchError("forbidden")
            if response.status >= 400:
                raise FetchError("failed", f"HTTP {response.status}")
            if refuse_html and response.content_type == "text/html":
                raise FetchError("forbidden", "a web page came back instead of the file")
            if (response.content_length or 0) > max_bytes:
                raise FetchError("too_large")
            body = bytearray()
            async for chunk in response.content.iter_chunked(CHUNK):
                body += chunk
                if len(body) > max_bytes:
                    raise FetchError("too_large")
            return bytes(body)
    except aiohttp.ClientError as error:
        log.debug("download failed: %s", error)
        raise FetchError("failed", type(error).__name__) from None
