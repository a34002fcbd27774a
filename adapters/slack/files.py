"""Files shared with a Slack message → `Attachment`s the engine reads after admitting the turn.

A message event carries `files` with `url_private(_download)`; the file is downloaded with the bot token as
`Authorization: Bearer` (scope `files:read`). The token is sent only to Slack's own hosts (or the configured
API host, for a stand-in): an event naming another host gets no token.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from slack_sdk.errors import SlackApiError

from adapters.slack.app import SlackBot
from bot.attachments import Attachment, Fetcher, FetchError
from bot.http_download import download


def attachments_of(bot: SlackBot, event: dict[str, Any]) -> tuple[Attachment, ...]:
    files = event.get("files")
    if not isinstance(files, list):
        return ()
    found = []
    for item in files:
        if not isinstance(item, dict) or item.get("mode") == "tombstone":  # a deleted file
            continue
        url = item.get("url_private_download") or item.get("url_private")
        name = str(item.get("name") or item.get("title") or "file")
        size = item.get("size") if isinstance(item.get("size"), int) else 0
        mime = str(item.get("mimetype") or "")
        if isinstance(url, str) and url:
            fetch: Fetcher | None = _fetcher(bot, url, mime)
        elif isinstance(item.get("id"), str):  # file_access "check_file_info" (e.g. Slack Connect): ask files.info
            fetch = _looked_up(bot, item["id"], mime)
        else:
            fetch = None
        found.append(Attachment(name, mime, int(size or 0), fetch=fetch))
    return tuple(found)


def _looked_up(bot: SlackBot, file_id: str, mime: str) -> Fetcher:
    async def fetch(max_bytes: int) -> bytes:
        try:
            info = await bot.client.files_info(file=file_id)
        except SlackApiError as error:
            reason = "not_found" if error.response.get("error") == "file_not_found" else "forbidden"
            raise FetchError(reason, str(error.response.get("error"))) from None
        file = info.get("file") or {}
        url = file.get("url_private_download") or file.get("url_private")
        if not isinstance(url, str) or not url:
            raise FetchError("failed", "files.info gave no address")
        return await _fetcher(bot, url, mime or str(file.get("mimetype") or ""))(max_bytes)

    return fetch


def _trusted(bot: SlackBot, url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    api_host = (urlsplit(str(bot.client.base_url)).hostname or "").lower()
    return host == api_host or host == "slack.com" or host.endswith(".slack.com")


def _fetcher(bot: SlackBot, url: str, mime: str) -> Fetcher:
    refuse_html = not mime.startswith("text/html")  # Slack answers a bad token with its login page

    async def fetch(max_bytes: int) -> bytes:
        if not _trusted(bot, url):
            raise FetchError("forbidden", "not a Slack file address")
        session = bot.client.session
        headers = {"Authorization": f"Bearer {bot.client.token}"}
        if session is None or session.closed:
            import aiohttp

            async with aiohttp.ClientSession() as own:
                return await download(own, url, max_bytes=max_bytes, headers=headers, refuse_html=refuse_html)
        return await download(session, url, max_bytes=max_bytes, headers=headers, refuse_html=refuse_html)

    return fetch
