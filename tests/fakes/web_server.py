"""A stand-in web server for ``fetch_url``: real HTTP on 127.0.0.1, pages, redirects and faults.

It listens on loopback, which fetch_url's SSRF guard refuses: tests that want it reached build the
fetcher with a test-only address check (``allow_only``) and a lookup that maps test host names to it.
It records every request (``requests``) so a test can prove a refused URL was never asked for.
"""

from __future__ import annotations

import asyncio
import ipaddress
from collections.abc import Awaitable, Callable
from pathlib import Path

from aiohttp import web

from bot.tools.url_guard import IPAddress, address_refusal
from tests.fakes.openai_server import FakeServer

PAGES = Path(__file__).parent / "pages"


class FakeWeb(FakeServer):
    def __init__(self) -> None:
        super().__init__()
        self.pages: dict[str, Callable[[web.Request], Awaitable[web.StreamResponse]]] = {}
        self.streamed_bytes = 0  # bytes the endless page managed to hand to the connection

    def routes(self) -> list[web.RouteDef]:
        return [web.route("*", "/{path:.*}", self._serve)]

    @property
    def base(self) -> str:
        return f"http://{self._host}:{self.port}"

    def url(self, path: str, host: str | None = None) -> str:
        return f"http://{host or self._host}:{self.port}{path}"

    def paths(self) -> list[str]:
        return [r.path for r in self.requests]

    # --- what to serve ---------------------------------------------------------

    def page(
        self,
        path: str,
        body: bytes | str,
        content_type: str = "text/html; charset=utf-8",
        status: int = 200,
        headers: dict[str, str] | None = None,
    ) -> None:
        data = body.encode() if isinstance(body, str) else body

        async def serve(request: web.Request) -> web.StreamResponse:
            return web.Response(body=data, status=status, headers={"Content-Type": content_type, **(headers or {})})

        self.pages[path] = serve

    def redirect(self, path: str, location: str, status: int = 302) -> None:
        async def serve(request: web.Request) -> web.StreamResponse:
            return web.Response(status=status, headers={"Location": location})

        self.pages[path] = serve

    def endless(self, path: str, content_type: str = "text/plain") -> None:
        """A body that never ends (no Content-Length): a client must stop reading by itself."""

        async def serve(request: web.Request) -> web.StreamResponse:
            response = web.StreamResponse(headers={"Content-Type": content_type})
            await response.prepare(request)
            chunk = b"all work and no play makes jack a dull boy\n" * 1000
            while True:
                await response.write(chunk)
                self.streamed_bytes += len(chunk)

        self.pages[path] = serve

    def stall(self, path: str, seconds: float = 60.0) -> None:
        """Headers at once, then nothing for `seconds`."""

        async def serve(request: web.Request) -> web.StreamResponse:
            response = web.StreamResponse(headers={"Content-Type": "text/html"})
            await response.prepare(request)
            await response.write(b"<html><body><p>first words")
            await asyncio.sleep(seconds)
            return response

        self.pages[path] = serve

    async def _serve(self, request: web.Request) -> web.StreamResponse:
        handler = self.pages.get(request.path)
        if handler is None:
            return web.Response(status=404, text="not found")
        return await handler(request)


def allow_only(*allowed: str) -> Callable[[IPAddress], str | None]:
    """A test-only address check: the listed addresses pass, every other is judged by the real guard."""
    addresses = {ipaddress.ip_address(a) for a in allowed}

    def check(ip: IPAddress) -> str | None:
        return None if ip in addresses else address_refusal(ip)

    return check


def lookup_table(names: dict[str, str]) -> Callable[[str, int], Awaitable[list[IPAddress]]]:
    """A test-only resolver: host name → address (an unknown name fails as DNS would)."""

    async def lookup(host: str, port: int) -> list[IPAddress]:
        if host not in names:
            raise OSError(-2, "Name or service not known")
        return [ipaddress.ip_address(names[host])]

    return lookup


def article_html() -> str:
    return (PAGES / "article.html").read_text(encoding="utf-8")
