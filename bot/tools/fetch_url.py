"""The ``fetch_url`` tool: the readable text of a public web page, within size, time and redirect limits.

Off unless the operator enables it (``tools.fetch_url.enabled``): it sends a request off this machine,
so it is marked ``sends_data_out`` and a private turn is never offered it (and refuses if called in one).

SSRF guard (bot/tools/url_guard.py): only http and https; the host is resolved by this module's own
resolver, every address is checked, and the connection goes to exactly the checked addresses (aiohttp
connects to what the resolver returns: there is no second look-up an attacker's DNS could answer
differently). Redirects are followed by hand, one hop at a time, each hop checked the same way. The body
is read in chunks and reading stops at ``max_bytes``: a larger page is cut, never read whole.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from yarl import URL

from bot.config import FetchUrlConfig
from bot.privacy import is_sensitive, scan
from bot.tools.base import CALL_CONTEXT, Tool
from bot.tools.page_text import readable_text
from bot.tools.url_guard import (
    AddressCheck,
    IPAddress,
    UrlRefused,
    address_refusal,
    check_addresses,
    checked_url,
    literal_address,
)

Lookup = Callable[[str, int], Awaitable[list[IPAddress]]]
REDIRECTS = (301, 302, 303, 307, 308)
CHUNK = 64 * 1024
USER_AGENT = "hybridbot-fetch_url/1 (reads one page to answer a question)"


async def system_lookup(host: str, port: int) -> list[IPAddress]:
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [ipaddress.ip_address(info[4][0]) for info in infos]


class GuardedResolver(AbstractResolver):
    """Resolves a host once, refuses it unless every address passes the check, and hands aiohttp only
    numeric addresses to connect to."""

    def __init__(self, check: AddressCheck, lookup: Lookup) -> None:
        self.check, self.lookup = check, lookup

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        try:
            addresses = list(dict.fromkeys(await self.lookup(host, port)))
        except OSError as error:
            raise UrlRefused(f"{host} could not be resolved ({error.strerror or type(error).__name__})") from None
        check_addresses(host, addresses, self.check)
        flags = socket.AI_NUMERICHOST | socket.AI_NUMERICSERV
        return [
            ResolveResult(
                hostname=host,
                host=str(ip),
                port=port,
                family=socket.AF_INET6 if ip.version == 6 else socket.AF_INET,
                proto=0,
                flags=flags,
            )
            for ip in addresses
        ]

    async def close(self) -> None:
        pass


@dataclass(frozen=True)
class Fetched:
    url: str  # after redirects
    status: int
    content_type: str
    charset: str | None
    body: bytes
    cut: bool  # the body was longer than max_bytes: only the first max_bytes were read
    redirects: int


class FetchError(Exception):
    """The page could not be fetched; the message says why (shown to the model, which tells the user)."""


class UrlFetcher:
    """Fetches one URL under the SSRF guard and the configured limits.

    ``check`` and ``lookup`` exist for tests only (a stand-in server on 127.0.0.1, names that resolve to
    test addresses); no setting reaches them, so a configuration cannot loosen the guard by accident.
    """

    def __init__(
        self, config: FetchUrlConfig, *, check: AddressCheck = address_refusal, lookup: Lookup = system_lookup
    ):
        self.config, self.check, self.lookup = config, check, lookup

    def _vet(self, url: str) -> None:
        _, host, _ = checked_url(url)
        ip = literal_address(host)
        if ip is not None:  # aiohttp connects to IP literals without asking the resolver
            check_addresses(host, [ip], self.check)

    async def fetch(self, url: str) -> Fetched:
        try:
            async with asyncio.timeout(self.config.timeout):
                return await self._fetch(url)
        except TimeoutError:
            raise FetchError(
                f"the page did not arrive within {self.config.timeout:g} s (tools.fetch_url.timeout)"
            ) from None

    async def _fetch(self, url: str) -> Fetched:
        connector = aiohttp.TCPConnector(resolver=GuardedResolver(self.check, self.lookup), use_dns_cache=False)
        headers = {"User-Agent": USER_AGENT, "Accept": "text/html,application/xhtml+xml,text/plain;q=0.9,*/*;q=0.5"}
        async with aiohttp.ClientSession(connector=connector, headers=headers, trust_env=False) as session:
            for hop in range(self.config.max_redirects + 1):
                self._vet(url)
                try:
                    async with session.get(URL(url, encoded=False), allow_redirects=False) as response:
                        if response.status in REDIRECTS and "Location" in response.headers:
                            url = str(response.url.join(URL(response.headers["Location"])))
                            continue
                        if response.status >= 400:
                            raise FetchError(f"the server answered {response.status} {response.reason or ''}".strip())
                        body, cut = await self._read(response)
                        return Fetched(
                            str(response.url),
                            response.status,
                            response.content_type if "Content-Type" in response.headers else "",
                            response.charset,
                            body,
                            cut,
                            hop,
                        )
                except aiohttp.ClientConnectorError as error:  # (a refused address raises UrlRefused as it is)
                    raise FetchError(
                        f"could not connect to {error.host} ({error.os_error.strerror or 'refused'})"
                    ) from None
                except aiohttp.ClientError as error:
                    raise FetchError(f"the request failed ({type(error).__name__})") from None
        raise FetchError(f"more than {self.config.max_redirects} redirects (tools.fetch_url.max_redirects)")

    async def _read(self, response: aiohttp.ClientResponse) -> tuple[bytes, bool]:
        limit, parts, size = self.config.max_bytes, [], 0
        async for chunk in response.content.iter_chunked(CHUNK):
            if size + len(chunk) > limit:
                parts.append(chunk[: limit - size])
                return b"".join(parts), True
            parts.append(chunk)
            size += len(chunk)
        return b"".join(parts), False


def describe(fetched: Fetched, requested: str, max_bytes: int) -> str:
    page = readable_text(fetched.body, fetched.content_type, fetched.charset)
    lines = [f"URL: {fetched.url}"]
    if fetched.url != requested:
        lines.append(f"(redirected from {requested})")
    if page.title:
        lines.append(f"Title: {page.title}")
    if fetched.cut:
        lines.append(
            f"[Cut: the page is larger than {max_bytes:,} bytes (tools.fetch_url.max_bytes); only its start was read.]"
        )
    lines += ["", page.text or "(the page has no readable text)"]
    return "\n".join(lines)


def make_fetch_url_tool(config: FetchUrlConfig, fetcher: UrlFetcher | None = None) -> Tool:
    fetcher = fetcher or UrlFetcher(config)

    async def run(args: dict[str, Any]) -> str:
        context = CALL_CONTEXT.get()
        if context is not None and context.private:  # the policy never offers it here; refuse if called anyway
            raise UrlRefused("fetch_url sends data off this machine and is not available in a private conversation")
        url = args["url"].strip()
        if is_sensitive(scan(url)):
            raise UrlRefused("the URL carries what looks like a secret or personal data, so it is not sent anywhere")
        try:
            fetched = await fetcher.fetch(url)
        except (UrlRefused, FetchError) as error:
            raise FetchError(f"{url} was not fetched: {error}") from None
        return await asyncio.to_thread(describe, fetched, url, config.max_bytes)  # extraction is CPU work

    return Tool(
        name="fetch_url",
        description="Read a public web page: its title and main text. url: a full http or https address.",
        parameters={
            "type": "object",
            "properties": {"url": {"type": "string", "minLength": 8, "maxLength": 2000}},
            "required": ["url"],
            "additionalProperties": False,
        },
        run=run,
        sends_data_out=True,
        timeout=config.timeout + 5.0,  # the fetch's own limit, then time to extract the text
        output_cap=config.max_chars,
    )
