"""Files a platform stand-in serves (Slack `url_private`, Discord CDN attachments): records every download and
can fail one on purpose (404, 500, a stall past the client's timeout, a login page instead of the file)."""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


@dataclass
class HostedFile:
    id: str
    name: str
    mime: str
    data: bytes = field(repr=False)


@dataclass
class Download:
    file_id: str
    authorization: str  # the Authorization header as received ('' when none)
    status: int


class FileHost:
    def __init__(self, prefix: str) -> None:
        self.prefix = prefix  # e.g. "F" (Slack file ids) or "" (Discord snowflakes come from the caller)
        self.files: dict[str, HostedFile] = {}
        self.downloads: list[Download] = []
        self.faults: dict[str, str] = {}  # file id → "404" | "500" | "stall" | "login"
        self._ids = itertools.count(1)

    def add(self, name: str, data: bytes, mime: str, file_id: str | None = None) -> HostedFile:
        hosted = HostedFile(file_id or f"{self.prefix}{next(self._ids):08d}", name, mime, data)
        self.files[hosted.id] = hosted
        return hosted

    async def serve(self, request: web.Request, *, token: str | None = None) -> web.StreamResponse:
        """GET a file; with `token`, only a request bearing it gets the file (others get a login page, as Slack)."""
        file_id = request.match_info["file_id"]
        auth = request.headers.get("Authorization", "")
        hosted = self.files.get(file_id)
        fault = self.faults.get(file_id, "")
        status = 200
        if hosted is None or fault == "404":
            status = 404
        elif fault == "500":
            status = 500
        self.downloads.append(Download(file_id, auth, status))
        if fault == "stall":
            await asyncio.sleep(3600)
        if status != 200 or hosted is None:
            return web.Response(status=status, text="not found" if status == 404 else "error")
        if fault == "login" or (token is not None and auth != f"Bearer {token}"):
            return web.Response(status=200, text="<html>Sign in to Slack</html>", content_type="text/html")
        return web.Response(body=hosted.data, content_type=hosted.mime)

    def downloaded(self, file_id: str) -> list[Download]:
        return [d for d in self.downloads if d.file_id == file_id]

    @staticmethod
    def describe(hosted: HostedFile) -> dict[str, Any]:
        return {"id": hosted.id, "name": hosted.name, "mimetype": hosted.mime, "size": len(hosted.data)}
